"""Settings read from environment variables, with defaults that are safe on a single machine.

Every process (Rasa server, action server, web app, tests) reads the same variables, so one place
decides the defaults, and one reader (:data:`setting`) reads every variable in the ``bot``
package: the same words mean true or false everywhere, blank means "not set", and a bad value stops
the program with an error that names the variable. Feature settings (``SmsSettings``,
``StaffConfig``, ``NotifySettings``) keep their own dataclasses but read through it. See the
README's "Settings" table for the list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import overload

from starlette.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class SettingError(ValueError):
    """A setting has a value that cannot mean anything; the message names the variable."""


class SettingReader:
    """Reads one environment variable at a time, live (not a copy taken at import).

    Built on ``starlette.config.Config`` over ``os.environ`` itself, so a value changed while the
    process runs (a notifier configured later, a test's ``monkeypatch.setenv``) is seen on the next
    read. Blank or whitespace-only counts as unset and gives the default; values are stripped.
    """

    def __init__(self, config: Config | None = None) -> None:
        self._config = config or Config(environ=os.environ)

    @overload
    def text(self, name: str, default: str) -> str: ...

    @overload
    def text(self, name: str, default: None = None) -> str | None: ...

    def text(self, name: str, default: str | None = None) -> str | None:
        """The stripped value, or ``default`` when unset or blank."""
        value = self._config(name, default=None)
        if value is None or not value.strip():
            return default
        return value.strip()

    def whole_number(self, name: str, default: int) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError as error:
            raise SettingError(f"{name} must be a whole number, got {raw!r}") from error

    def number(self, name: str, default: float) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError as error:
            raise SettingError(f"{name} must be a number, got {raw!r}") from error

    def flag(self, name: str, default: bool = False) -> bool:
        """true/1/yes/on or false/0/no/off, in any case; anything else is an error."""
        raw = self.text(name)
        if raw is None:
            return default
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise SettingError(f"{name} must be true or false (or yes/no, on/off, 1/0), got {raw!r}")

    def items(self, name: str, default: list[str] | None = None) -> list[str]:
        """A comma-separated list, items stripped, empty items dropped."""
        raw = self.text(name)
        if raw is None:
            return list(default or [])
        return [item.strip() for item in raw.split(",") if item.strip()]


setting = SettingReader()
"""The one reader of environment variables in the ``bot`` package."""


@dataclass(frozen=True)
class Settings:
    """The bot's configuration. Build it with :func:`get_settings`, never by hand in app code."""

    data_dir: Path
    database_url: str
    redis_url: str | None
    knowledge_dir: Path
    spacy_model_dir: Path
    model_dir: Path
    rasa_port: int
    action_port: int
    web_port: int
    action_server_url: str
    rasa_public_url: str
    rasa_api_token: str | None
    blog_url: str | None
    clinic_phone: str | None
    clinic_booking_url: str | None
    clinic_hours: str | None
    max_message_chars: int
    web_allowed_origins: list[str] = field(default_factory=list)

    @classmethod
    def from_env(cls) -> Settings:
        text = setting.text
        data_dir = Path(text("MEND_DATA_DIR", str(PROJECT_ROOT / "var"))).resolve()
        rasa_port = setting.whole_number("RASA_PORT", 5005)
        action_port = setting.whole_number("ACTION_PORT", 5055)
        web_port = setting.whole_number("WEB_PORT", 8000)
        return cls(
            data_dir=data_dir,
            database_url=text("DATABASE_URL", f"sqlite:///{data_dir / 'mend.db'}"),
            redis_url=text("REDIS_URL"),
            knowledge_dir=Path(
                text("MEND_KNOWLEDGE_DIR", str(PROJECT_ROOT / "data" / "knowledge"))
            ),
            spacy_model_dir=Path(
                text("MEND_SPACY_MODEL", str(PROJECT_ROOT / "build" / "spacy" / "mend_en"))
            ),
            model_dir=Path(text("MEND_MODEL_DIR", str(PROJECT_ROOT / "models"))),
            rasa_port=rasa_port,
            action_port=action_port,
            web_port=web_port,
            action_server_url=text("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}/webhook"),
            rasa_public_url=text("RASA_PUBLIC_URL", f"http://localhost:{rasa_port}"),
            rasa_api_token=text("RASA_API_TOKEN"),
            blog_url=text("MEND_BLOG_URL"),
            clinic_phone=text("CLINIC_PHONE"),
            clinic_booking_url=text("CLINIC_BOOKING_URL"),
            clinic_hours=text("CLINIC_HOURS"),
            max_message_chars=setting.whole_number("MAX_MESSAGE_CHARS", 1000),
            web_allowed_origins=setting.items(
                "WEB_ALLOWED_ORIGINS",
                [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"],
            ),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()``."""
    return Settings.from_env()
