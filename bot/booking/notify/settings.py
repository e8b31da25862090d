"""Where staff notifications go (email and/or webhook), read from the environment on every run.

Read on every delivery run, not once, so a notifier configured while the worker runs is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _text(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class NotifySettings:
    """Where staff notifications go; read from the environment on every delivery run."""

    email_to: tuple[str, ...] = ()
    email_from: str = "mend-assistant@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = 10.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout: float = 5.0

    @classmethod
    def from_env(cls) -> NotifySettings:
        recipients = tuple(
            item.strip() for item in (_text("NOTIFY_EMAIL_TO") or "").split(",") if item.strip()
        )
        port = _text("SMTP_PORT", "25") or "25"
        try:
            smtp_port = int(port)
        except ValueError as error:
            raise ValueError(f"Setting SMTP_PORT must be a whole number, got {port!r}") from error
        return cls(
            email_to=recipients,
            email_from=_text("NOTIFY_EMAIL_FROM", "mend-assistant@localhost") or "",
            smtp_host=_text("SMTP_HOST", "localhost") or "localhost",
            smtp_port=smtp_port,
            smtp_username=_text("SMTP_USERNAME"),
            smtp_password=_text("SMTP_PASSWORD"),
            smtp_starttls=_flag("SMTP_STARTTLS"),
            smtp_ssl=_flag("SMTP_SSL"),
            webhook_url=_text("NOTIFY_WEBHOOK_URL"),
            webhook_secret=_text("NOTIFY_WEBHOOK_SECRET"),
        )

    @property
    def email_enabled(self) -> bool:
        return bool(self.email_to)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)

    @property
    def enabled(self) -> bool:
        return self.email_enabled or self.webhook_enabled
