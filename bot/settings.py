"""Settings read from environment variables, with defaults that are safe on a single machine.

Every process (Rasa server, action server, web app, tests) reads the same variables, so one place
decides the defaults. See the README's "Settings" table for the list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"Setting {name} must be a whole number, got {raw!r}") from error


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = _env(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


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
        data_dir = Path(_env("MEND_DATA_DIR", str(PROJECT_ROOT / "var"))).resolve()
        rasa_port = _env_int("RASA_PORT", 5005)
        action_port = _env_int("ACTION_PORT", 5055)
        web_port = _env_int("WEB_PORT", 8000)
        return cls(
            data_dir=data_dir,
            database_url=_env("DATABASE_URL", f"sqlite:///{data_dir / 'mend.db'}"),
            redis_url=_env("REDIS_URL"),
            knowledge_dir=Path(
                _env("MEND_KNOWLEDGE_DIR", str(PROJECT_ROOT / "data" / "knowledge"))
            ),
            spacy_model_dir=Path(
                _env("MEND_SPACY_MODEL", str(PROJECT_ROOT / "build" / "spacy" / "mend_en"))
            ),
            model_dir=Path(_env("MEND_MODEL_DIR", str(PROJECT_ROOT / "models"))),
            rasa_port=rasa_port,
            action_port=action_port,
            web_port=web_port,
            action_server_url=_env("ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}/webhook"),
            rasa_public_url=_env("RASA_PUBLIC_URL", f"http://localhost:{rasa_port}"),
            rasa_api_token=_env("RASA_API_TOKEN"),
            blog_url=_env("MEND_BLOG_URL"),
            clinic_phone=_env("CLINIC_PHONE"),
            clinic_booking_url=_env("CLINIC_BOOKING_URL"),
            clinic_hours=_env("CLINIC_HOURS"),
            max_message_chars=_env_int("MAX_MESSAGE_CHARS", 1000),
            web_allowed_origins=_env_list(
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
