"""Staff review settings, read through the one reader (``bot.settings.setting``) on each call.

``STAFF_SECRET_KEY`` signs cookies; when unset, a random key is generated once and kept in the data
directory (file mode 0600), never in the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.local_secret import secret_in_data_dir
from bot.settings import get_settings, setting

SECRET_FILE_NAME = "staff_secret_key"


def staff_secret_key() -> str:
    """``STAFF_SECRET_KEY``, else the key generated once into the data directory (mode 0600).

    Shared by the staff app (cookies) and the widget channel (conversation tokens); the file
    appears complete or not at all, so processes starting together agree on one key.
    """
    configured = setting.text("STAFF_SECRET_KEY")
    return configured or secret_in_data_dir(get_settings().data_dir, SECRET_FILE_NAME)


@dataclass(frozen=True)
class StaffConfig:
    secret_key: str
    session_minutes: int
    cookie_secure: bool
    max_failed_logins: int
    lockout_minutes: int
    timezone: str
    page_size: int

    @classmethod
    def from_env(cls) -> StaffConfig:
        return cls(
            secret_key=staff_secret_key(),
            session_minutes=setting.whole_number("STAFF_SESSION_MINUTES", 60),
            cookie_secure=setting.flag("STAFF_COOKIE_SECURE", False),
            max_failed_logins=setting.whole_number("STAFF_MAX_FAILED_LOGINS", 5),
            lockout_minutes=setting.whole_number("STAFF_LOCKOUT_MINUTES", 15),
            timezone=setting.text("STAFF_TIMEZONE", "America/Denver"),
            page_size=setting.whole_number("STAFF_PAGE_SIZE", 50),
        )
