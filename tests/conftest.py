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


def texts(messages: list[dict]) -> str:
    """All text the bot sent in one reply, joined, for assertions."""
    return "\n".join(message.get("text", "") for message in messages)
