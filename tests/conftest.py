"""Shared fixtures. Tests of the defaults use SQLite in a temp dir; see tests/support/."""

from __future__ import annotations

import os

import pytest

from tests.support.live_bot import LiveBot, start_live_bot

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def live_bot(tmp_path_factory) -> LiveBot:
    """One real bot (Rasa + actions, SQLite) shared by the tests that talk to it over REST."""
    bot = start_live_bot(tmp_path_factory.mktemp("live-bot"))
    yield bot
    bot.stop()


@pytest.fixture(scope="session")
def session_twilio():
    """A local stand-in for Twilio's Messages API (each test texts from its own number)."""
    from tests.sms.helpers import FakeTwilio

    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def sms_bot(tmp_path_factory, session_twilio) -> LiveBot:
    """One real bot with the Twilio channel on, shared by the SMS tests of every package (a bot
    start is the slowest step of the suite)."""
    from tests.sms.helpers import ACCOUNT_SID, AUTH_TOKEN, CLINIC_NUMBER, PUBLIC_URL

    bot = start_live_bot(
        tmp_path_factory.mktemp("sms-bot"),
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_NUMBER": CLINIC_NUMBER,
            "TWILIO_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_API_BASE": session_twilio.url,
        },
    )
    yield bot
    bot.stop()


def texts(messages: list[dict]) -> str:
    """All text the bot sent in one reply, joined, for assertions."""
    return "\n".join(message.get("text", "") for message in messages)
