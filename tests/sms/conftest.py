"""Fixtures for the SMS channel tests (helpers and the stand-ins live in ``helpers.py``)."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot.db import get_engine
from bot.settings import get_settings
from bot.sms.channel import TwilioSmsInput
from bot.sms.settings import SmsSettings

from .helpers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CLINIC_NUMBER,
    PUBLIC_URL,
    FakeBot,
    FakeTwilio,
    SmsClient,
    migrate,
    reset_caches,
    start_channel,
)


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    """A fresh SQLite database with the SMS tables, used by everything in the test."""
    url = f"sqlite:///{tmp_path / 'sms.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MEND_DATA_DIR", str(tmp_path))
    get_engine.cache_clear()
    get_settings.cache_clear()
    migrate(url)
    yield url
    reset_caches()


@pytest.fixture
def twilio_api():
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def sms_settings(twilio_api) -> SmsSettings:
    return SmsSettings(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        twilio_number=CLINIC_NUMBER,
        public_url=PUBLIC_URL,
        api_base=twilio_api.url,
    )


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


@pytest_asyncio.fixture
async def sms(database_url, sms_settings, bot):
    """A signed SMS client talking to a channel backed by the stand-in bot."""
    async with await start_channel(TwilioSmsInput(sms_settings), bot) as http:
        yield SmsClient(http)
