"""The Twilio settings, read from the environment (never from files in the repository).

``TWILIO_PUBLIC_URL`` is the exact address Twilio posts to (the bot runs behind a proxy, so the
URL Sanic sees is not the one Twilio signed). ``TWILIO_API_BASE`` points the Twilio client at a
stand-in server in tests; leave it unset in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import setting

TWILIO_API_HOST = "https://api.twilio.com"


@dataclass(frozen=True)
class SmsSettings:
    account_sid: str | None
    auth_token: str | None
    twilio_number: str | None
    public_url: str | None
    api_base: str | None

    @classmethod
    def from_env(cls) -> SmsSettings:
        return cls(
            account_sid=setting.text("TWILIO_ACCOUNT_SID"),
            auth_token=setting.text("TWILIO_AUTH_TOKEN"),
            twilio_number=setting.text("TWILIO_NUMBER"),
            public_url=setting.text("TWILIO_PUBLIC_URL"),
            api_base=(setting.text("TWILIO_API_BASE") or "").rstrip("/") or None,
        )

    @property
    def can_receive(self) -> bool:
        """Without the auth token no signature can be checked, so nothing is accepted."""
        return bool(self.auth_token)

    @property
    def can_send(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.twilio_number)
