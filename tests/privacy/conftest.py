"""Fixtures for the privacy tests (issue 15): a bot with the production settings, and a staff
database holding conversations in which patients typed phone numbers and emails in unusual
formats, with a signed-in staff client."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot.db import get_engine
from bot.db.migrate import upgrade
from tests.staff.conftest import BASE, PASSWORD, STAFF, reset_caches, sign_in
from tests.staff.eventgen import Turn, conversation, save_with_rasa
from tests.support.live_bot import LiveBot, start_live_bot

REST_TOKEN = "rest-token-for-tests"
ACTION_TOKEN = "action-token-for-tests"
RASA_API_TOKEN = "rasa-api-token-for-tests"


@pytest.fixture(scope="package")
def hardened_bot(tmp_path_factory) -> Iterator[LiveBot]:
    """A bot with the production settings of issue 15 set, and Rasa's HTTP API on."""
    bot = start_live_bot(
        tmp_path_factory.mktemp("hardened-bot"),
        {
            "REST_API_TOKEN": REST_TOKEN,
            "ACTION_SERVER_TOKEN": ACTION_TOKEN,
            "REQUEST_DEADLINE_SECONDS": "2",
            "RASA_API_TOKEN": RASA_API_TOKEN,
        },
    )
    yield bot
    bot.stop()


# What patients typed, and the secret (phone digits or email local part) that must not show.
ODD_FORMATS = {
    "303_555_0142": "555_0142",
    "303,555,0142": "555,0142",
    "303.555.0142": "555.0142",
    "(303) 555 0142": "555 0142",
    "+1 303 555 0142": "555 0142",
    "jane at example dot com": "jane at",
    "jane [at] example [dot] com": "jane [at]",
}


def odd_sender(index: int) -> str:
    return f"rest:odd-format-{index}"


@pytest.fixture(scope="package")
def privacy_staff_db(tmp_path_factory) -> Iterator[str]:
    """A migrated SQLite database with one conversation per odd format, and a staff account."""
    from bot.staff import auth

    folder = tmp_path_factory.mktemp("privacy-staff")
    url = f"sqlite:///{folder / 'mend.db'}"
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "MEND_DATA_DIR", "STAFF_TIMEZONE")}
    os.environ.update(DATABASE_URL=url, MEND_DATA_DIR=str(folder), STAFF_TIMEZONE="UTC")
    reset_caches()
    upgrade(url)
    save_with_rasa(
        url,
        {
            odd_sender(index): conversation(
                BASE + 60 * index,
                [Turn(f"please call me back on {typed}", "talk_to_human", 0.9, ["Sure."])],
            )
            for index, typed in enumerate(ODD_FORMATS)
        },
    )
    auth.add_user(STAFF, PASSWORD, "staff")
    yield url
    get_engine().dispose()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_caches()


@pytest.fixture
def privacy_staff_client(privacy_staff_db):
    from starlette.testclient import TestClient

    from bot.web.app import create_app

    with TestClient(create_app(), base_url="http://testserver") as client:
        assert sign_in(client).status_code == 303
        yield client
