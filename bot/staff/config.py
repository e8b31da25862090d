"""Staff review settings, read through the one reader (``bot.settings.setting``) on each call.

``STAFF_SECRET_KEY`` signs cookies; when unset, a random key is generated once and kept in the data
directory (file mode 0600), never in the repository.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.settings import get_settings, setting

SECRET_FILE_NAME = "staff_secret_key"


def _secret_from_file(data_dir: Path) -> str:
    """The generated key in the data dir; created atomically with owner-only permissions."""
    path = data_dir / SECRET_FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


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
        settings = get_settings()
        return cls(
            secret_key=setting.text("STAFF_SECRET_KEY") or _secret_from_file(settings.data_dir),
            session_minutes=setting.whole_number("STAFF_SESSION_MINUTES", 60),
            cookie_secure=setting.flag("STAFF_COOKIE_SECURE", False),
            max_failed_logins=setting.whole_number("STAFF_MAX_FAILED_LOGINS", 5),
            lockout_minutes=setting.whole_number("STAFF_LOCKOUT_MINUTES", 15),
            timezone=setting.text("STAFF_TIMEZONE", "America/Denver") or "America/Denver",
            page_size=setting.whole_number("STAFF_PAGE_SIZE", 50),
        )
