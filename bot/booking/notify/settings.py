"""Where staff notifications go (email and/or webhook), read from the environment on every run.

Read on every delivery run, not once, so a notifier configured while the worker runs is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import setting


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
        text = setting.text
        return cls(
            email_to=tuple(setting.items("NOTIFY_EMAIL_TO")),
            email_from=text("NOTIFY_EMAIL_FROM", "mend-assistant@localhost") or "",
            smtp_host=text("SMTP_HOST", "localhost") or "localhost",
            smtp_port=setting.whole_number("SMTP_PORT", 25),
            smtp_username=text("SMTP_USERNAME"),
            smtp_password=text("SMTP_PASSWORD"),
            smtp_starttls=setting.flag("SMTP_STARTTLS", False),
            smtp_ssl=setting.flag("SMTP_SSL", False),
            webhook_url=text("NOTIFY_WEBHOOK_URL"),
            webhook_secret=text("NOTIFY_WEBHOOK_SECRET"),
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
