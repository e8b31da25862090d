"""Booking and handoff requests are stored exactly once, with their staff notification queued."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from datetime import timezone

import pytest
import sqlalchemy as sa

from bot.booking.contact import ContactError
from bot.booking.store import (
    BookingDraft,
    StorageUnavailable,
    booking_requests_for,
    handoff_requests_for,
    recent_booking_requests,
    record_handoff,
    submit_booking,
)
from bot.db import get_engine

REFERENCE = re.compile(r"^MEND-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{5}$")


def draft(conversation_id: str | None = None, **changes) -> BookingDraft:
    values = {
        "conversation_id": conversation_id or f"conv-{uuid.uuid4().hex}",
        "channel": "rest",
        "name": "Jane Doe",
        "contact_kind": "phone",
        "contact_value": "(303) 555-0100",
        "clinic_location": "Lafayette",
        "preferred_times": "Tuesday mornings",
        "reason": "low back pain",
    }
    values.update(changes)
    return BookingDraft(**values)


def count(url: str, table: str, where: str = "1=1", **params) -> int:
    with get_engine(url).connect() as connection:
        return connection.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE {where}"), params
        ).scalar_one()


def test_submit_stores_the_request_and_queues_one_notification(db_url: str) -> None:
    booking = draft()
    stored = submit_booking(booking, "key-1", database_url=db_url)

    assert stored.created is True
    assert REFERENCE.match(stored.reference)
    [row] = booking_requests_for(booking.conversation_id, database_url=db_url)
    assert row["reference"] == stored.reference
    assert row["status"] == "new"
    assert row["contact_kind"] == "phone"
    assert row["contact_value"] == "+13035550100"  # normalised again before storing
    assert row["clinic_location"] == "Lafayette"
    assert row["preferred_times"] == "Tuesday mornings"
    assert row["reason"] == "low back pain"
    assert row["channel"] == "rest"
    assert row["created_at"].tzinfo is not None
    assert row["created_at"].utcoffset() == timezone.utc.utcoffset(None)
    assert (
        count(db_url, "notification_outbox", "kind = 'booking' AND request_id = :id", id=row["id"])
        == 1
    )


def test_same_key_twice_stores_one_row(db_url: str) -> None:
    booking = draft()
    first = submit_booking(booking, "double-tap", database_url=db_url)
    second = submit_booking(booking, "double-tap", database_url=db_url)

    assert (first.created, second.created) == (True, False)
    assert second.reference == first.reference
    assert len(booking_requests_for(booking.conversation_id, database_url=db_url)) == 1
    assert count(db_url, "notification_outbox") == 1


def test_a_new_key_is_a_new_request(db_url: str) -> None:
    booking = draft()
    first = submit_booking(booking, "attempt-1", database_url=db_url)
    second = submit_booking(booking, "attempt-2", database_url=db_url)
    assert second.created is True
    assert second.reference != first.reference
    assert len(booking_requests_for(booking.conversation_id, database_url=db_url)) == 2


def test_concurrent_submits_with_one_key_store_one_row(db_url: str) -> None:
    booking = draft()
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results: list = []
    errors: list = []

    def submit() -> None:
        barrier.wait()
        try:
            results.append(submit_booking(booking, "retried-webhook", database_url=db_url))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(results) == threads_count
    assert sum(result.created for result in results) == 1
    assert len({result.reference for result in results}) == 1
    assert len(booking_requests_for(booking.conversation_id, database_url=db_url)) == 1
    assert count(db_url, "notification_outbox") == 1


def test_handoff_is_recorded_once_with_or_without_contact(db_url: str) -> None:
    first = record_handoff(
        "conv-h",
        "socketio",
        "wants to talk about hip pain",
        idempotency_key="h-1",
        database_url=db_url,
    )
    again = record_handoff(
        "conv-h",
        "socketio",
        "wants to talk about hip pain",
        idempotency_key="h-1",
        database_url=db_url,
    )
    with_contact = record_handoff(
        "conv-h",
        "twilio",
        "call me",
        contact_kind="phone",
        contact_value="+1 720 555 0199",
        idempotency_key="h-2",
        database_url=db_url,
    )

    assert (first.created, again.created, with_contact.created) == (True, False, True)
    assert again.reference == first.reference
    rows = handoff_requests_for("conv-h", database_url=db_url)
    assert [row["reference"] for row in rows] == [first.reference, with_contact.reference]
    assert rows[0]["contact_kind"] is None and rows[0]["contact_value"] is None
    assert rows[1]["contact_value"] == "+17205550199"
    assert all(row["status"] == "new" for row in rows)
    assert count(db_url, "notification_outbox", "kind = 'handoff'") == 2


def test_recent_booking_requests_newest_first(sqlite_url: str) -> None:
    first = submit_booking(draft(), "a", database_url=sqlite_url)
    second = submit_booking(draft(), "b", database_url=sqlite_url)
    rows = recent_booking_requests(database_url=sqlite_url)
    assert [row["reference"] for row in rows] == [second.reference, first.reference]
    assert recent_booking_requests(status="done", database_url=sqlite_url) == []


def test_invalid_contact_in_the_draft_is_refused_before_storing(sqlite_url: str) -> None:
    with pytest.raises(ContactError):
        submit_booking(draft(contact_value="303-555-010"), "bad", database_url=sqlite_url)
    with pytest.raises(ValueError):
        submit_booking(draft(name="  "), "no-name", database_url=sqlite_url)
    assert count(sqlite_url, "booking_requests") == 0


def test_long_values_are_trimmed_not_rejected(db_url: str) -> None:
    booking = draft(name="N" * 500, preferred_times="any time " * 500)
    stored = submit_booking(booking, "k" * 400, database_url=db_url)
    again = submit_booking(booking, "k" * 400, database_url=db_url)
    assert stored.created and not again.created
    [row] = booking_requests_for(booking.conversation_id, database_url=db_url)
    assert len(row["name"]) == 200


@pytest.mark.parametrize(
    "make_url",
    [
        lambda tmp_path: "postgresql://127.0.0.1:1/x",
        lambda tmp_path: f"sqlite:///{tmp_path}",  # a directory, not a database file
        lambda tmp_path: f"sqlite:///{tmp_path / 'never-migrated.db'}",
    ],
    ids=["postgres-port-closed", "sqlite-unwritable", "sqlite-no-tables"],
)
def test_database_down_raises_storage_unavailable_without_personal_data(
    make_url, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(tmp_path)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StorageUnavailable) as caught:
        submit_booking(draft(conversation_id="conv-down"), "down-1", database_url=url)
    with pytest.raises(StorageUnavailable):
        record_handoff(
            "conv-down",
            "rest",
            "help",
            "email",
            "jane@example.com",
            idempotency_key="down-2",
            database_url=url,
        )
    with pytest.raises(StorageUnavailable):
        booking_requests_for("conv-down", database_url=url)
    shown = str(caught.value) + caplog.text
    for personal in ("Jane", "555-0100", "5550100", "jane@example.com", "Tuesday"):
        assert personal not in shown


def test_losing_an_insert_race_rereads_the_winner(db_url: str, monkeypatch) -> None:
    """The lookup missed (the other insert was not committed yet); the unique key decides."""
    from bot.booking import store as bookings

    booking = draft()
    winner = submit_booking(booking, "race", database_url=db_url)
    real_existing = bookings._existing
    calls: list[str] = []

    def stale_first_lookup(model, key, url):
        calls.append(key)
        return None if len(calls) == 1 else real_existing(model, key, url)

    monkeypatch.setattr(bookings, "_existing", stale_first_lookup)
    loser = submit_booking(booking, "race", database_url=db_url)

    assert len(calls) == 2  # the insert failed on the unique key, then it re-read
    assert (loser.created, loser.reference) == (False, winner.reference)
    assert count(db_url, "booking_requests") == 1
    assert count(db_url, "notification_outbox") == 1


def test_handoff_contact_kind_is_worked_out_when_missing(sqlite_url: str) -> None:
    record_handoff(
        "conv-k", "rest", "help", contact_value="Jane@Example.COM", database_url=sqlite_url
    )
    [row] = handoff_requests_for("conv-k", database_url=sqlite_url)
    assert (row["contact_kind"], row["contact_value"]) == ("email", "Jane@example.com")


def test_a_contact_given_on_a_second_ask_joins_the_first_handoff(sqlite_url: str) -> None:
    """Issue 10: "talk to a person" twice in a day is one request; a contact given the second
    time is stored with it and staff are told again (the first notice had no way back)."""
    first = record_handoff("conv-c", "rest", "help", idempotency_key="h-c", database_url=sqlite_url)
    again = record_handoff(
        "conv-c",
        "rest",
        "help",
        contact_value="(303) 555-0123",
        idempotency_key="h-c",
        database_url=sqlite_url,
    )
    assert again.reference == first.reference and not again.created and again.updated
    [row] = handoff_requests_for("conv-c", database_url=sqlite_url)
    assert (row["contact_kind"], row["contact_value"]) == ("phone", "+13035550123")
    third = record_handoff(
        "conv-c",
        "rest",
        "help",
        contact_value="other@example.com",
        idempotency_key="h-c",
        database_url=sqlite_url,
    )
    assert not third.updated  # the first contact given is kept
    [row] = handoff_requests_for("conv-c", database_url=sqlite_url)
    assert row["contact_value"] == "+13035550123"
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as connection:
        notices = connection.execute(
            sa.text("select count(*) from notification_outbox where kind = 'handoff'")
        ).scalar()
    assert notices == 2
