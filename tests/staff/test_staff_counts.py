"""Booking figures come from what happened: sent, failed to store and abandoned, counted apart.

Conversations are written through Rasa's own tracker store with the events the booking actions
really produce (``actions/booking.py``): a send that worked sets ``booking_reference``; a send
that could not be stored says so and goes back to the form, with no reference.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SlotSet,
    UserUttered,
)

from bot.booking.store import BookingDraft, submit_booking
from bot.db.migrate import upgrade
from bot.staff import queries, summary
from bot.staff.queries import ListFilters, list_page
from tests.support.services import fresh_postgres_database

from .eventgen import save_with_rasa

NOW = time.time()
LONG_AGO = NOW - 3 * 3600  # quiet for hours: an unfinished form is abandoned
JUST_NOW = NOW - 120  # still typing: not abandoned yet


def _start_form(t: float, key: str) -> list:
    return [
        ActionExecuted("action_listen", timestamp=t),
        UserUttered(
            "I'd like to book an appointment",
            intent={"name": "book_appointment", "confidence": 0.97},
            input_channel="rest",
            timestamp=t + 1,
        ),
        ActionExecuted("action_book_appointment", timestamp=t + 2),
        SlotSet("booking_key", key, timestamp=t + 2),
        ActionExecuted("booking_form", timestamp=t + 3),
        ActiveLoop("booking_form", timestamp=t + 3),
        SlotSet("requested_slot", "booking_name", timestamp=t + 3),
    ]


def _fill_and_confirm(t: float) -> list:
    return [
        SlotSet("booking_name", "Pat Example", timestamp=t),
        SlotSet("booking_contact", "+13035550142", timestamp=t),
        ActionExecuted("action_listen", timestamp=t + 1),
        UserUttered(
            "/affirm",
            intent={"name": "affirm", "confidence": 1.0},
            input_channel="rest",
            timestamp=t + 2,
        ),
        ActionExecuted("booking_form", timestamp=t + 3),
        ActiveLoop(None, timestamp=t + 3),
    ]


def _send_stored(t: float, reference: str) -> list:
    return [
        ActionExecuted("action_submit_booking", timestamp=t),
        BotUttered(f"Your request is sent. Reference {reference}.", timestamp=t),
        SlotSet("booking_key", None, timestamp=t),
        SlotSet("booking_reference", reference, timestamp=t),
        ActionExecuted("action_listen", timestamp=t + 1),
    ]


def _send_not_stored(t: float) -> list:
    return [
        ActionExecuted("action_submit_booking", timestamp=t),
        BotUttered("Sorry, your request could not be saved. Please call us.", timestamp=t),
        SlotSet("booking_confirm", None, timestamp=t),
        ActionExecuted("booking_form", timestamp=t + 1),
        ActionExecuted("action_listen", timestamp=t + 2),
    ]


def conversations() -> dict[str, list]:
    return {
        # the request was stored and the patient got a reference
        "sent": _start_form(LONG_AGO, "key-sent")
        + _fill_and_confirm(LONG_AGO + 10)
        + _send_stored(LONG_AGO + 20, "MEND-SENT2"),
        # the database was down: nothing stored, the bot said so
        "failed": _start_form(LONG_AGO, "key-failed")
        + _fill_and_confirm(LONG_AGO + 10)
        + _send_not_stored(LONG_AGO + 20),
        # failed once, then "Confirm" again worked: a sent request, not a failure
        "retried": _start_form(LONG_AGO, "key-retried")
        + _fill_and_confirm(LONG_AGO + 10)
        + _send_not_stored(LONG_AGO + 20)
        + _send_stored(LONG_AGO + 30, "MEND-RETR2"),
        # the form started, the patient left before sending
        "abandoned": _start_form(LONG_AGO, "key-abandoned"),
        # the form started two minutes ago: still in progress
        "in-progress": _start_form(JUST_NOW, "key-progress"),
        # asked about booking, never started the form: nothing happened
        "mentioned": [
            UserUttered(
                "do you take bookings on weekends",
                intent={"name": "book_appointment", "confidence": 0.8},
                input_channel="rest",
                timestamp=LONG_AGO,
            ),
            BotUttered("We are open on weekdays.", timestamp=LONG_AGO + 1),
        ],
    }


def _store(url: str, conversation_id: str, key: str) -> None:
    draft = BookingDraft(conversation_id, "rest", "Pat Example", "phone", "+13035550142")
    assert submit_booking(draft, key, database_url=url).created


def prepare(url: str) -> sa.engine.Engine:
    upgrade(url)
    save_with_rasa(url, conversations())
    _store(url, "sent", "key-sent")
    _store(url, "retried", "key-retried")
    engine = sa.create_engine(url)
    summary.sync(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path) -> Iterator[sa.engine.Engine]:
    if request.param == "sqlite":
        engine = prepare(f"sqlite:///{tmp_path / 'counts.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database("mend_test_counts") as url:
        engine = prepare(url)
        yield engine
        engine.dispose()


def flagged(engine: sa.engine.Engine, flag: str) -> set[str]:
    rows, _ = list_page(engine, ListFilters(flags=[flag]), ZoneInfo("UTC"), page_size=50)
    return {row["sender_id"] for row in rows}


def test_sent_failed_and_abandoned_are_counted_apart(engine):
    assert flagged(engine, "booking") == {"sent", "retried"}
    assert flagged(engine, "booking_failed") == {"failed"}
    assert flagged(engine, "booking_abandoned") == {"abandoned"}

    today = dt.datetime.now(dt.timezone.utc).date()
    data = queries.dashboard(
        engine, today - dt.timedelta(days=1), today + dt.timedelta(days=1), ZoneInfo("UTC")
    )
    totals = data["totals"]
    assert totals["booking_sent"] == 2  # stored requests, not the 6 conversations about booking
    assert totals["booking_failed"] == 1
    assert totals["booking_abandoned"] == 1
    assert totals["conversations"] == 6


def test_a_failure_stored_later_under_the_same_key_is_no_longer_a_failure(engine):
    _store(engine.url.render_as_string(hide_password=False), "failed", "key-failed")
    assert flagged(engine, "booking_failed") == set()
    assert flagged(engine, "booking") == {"sent", "retried", "failed"}
