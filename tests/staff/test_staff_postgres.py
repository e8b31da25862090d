"""The list query on PostgreSQL (a fresh database per run), where the clinic runs at scale.

Skipped when PostgreSQL is unreachable, unless CI=true.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.db.migrate import upgrade
from bot.staff import queries, summary
from bot.staff.queries import ListFilters, list_page
from tests.support.services import fresh_postgres_database

from .conftest import SMS_PERSON, SMS_STOP, populate


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[sa.engine.Engine]:
    with fresh_postgres_database("mend_test_staff") as url:
        upgrade(url)
        populate(url)
        engine = sa.create_engine(url)
        summary.sync(engine)
        yield engine
        engine.dispose()


def senders(engine, **filters) -> set[str]:
    rows, total = list_page(engine, ListFilters(**filters), ZoneInfo("UTC"), page_size=50)
    assert total == len(rows)
    return {row["sender_id"] for row in rows}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"flags": ["emergency"]}, {"web-emergency"}),
        ({"flags": ["fallback"], "channel": "web"}, {"web-fallback", "web-hips"}),
        ({"flags": ["booking"]}, {"web-booking"}),
        ({"flags": ["person"]}, {SMS_PERSON}),
        ({"flags": ["opted_out"]}, {SMS_STOP}),
        ({"q": "HIPS"}, {SMS_STOP, "web-hips"}),
        ({"q": "100%"}, set()),
        ({"reviewed": "no", "channel": "sms"}, {SMS_PERSON, SMS_STOP}),
    ],
)
def test_list_filters_on_postgresql(pg_engine, filters, expected):
    assert senders(pg_engine, **filters) == expected


def test_booking_row_alone_sets_the_booking_flag(pg_engine):
    """A booking written by the booking feature counts even when no intent said so."""
    import datetime as dt

    table = queries.bookings
    with pg_engine.begin() as conn:
        conn.execute(
            table.insert().values(
                reference="BK-ZZZZ",
                idempotency_key="k-pg",
                conversation_id="web-hips",
                channel="rest",
                name="Sam",
                contact_kind="email",
                contact_value="sam@example.com",
                status="new",
                created_at=dt.datetime.now(dt.timezone.utc),
            )
        )
    assert senders(pg_engine, flags=["booking"]) == {"web-booking", "web-hips"}


def test_parallel_wrong_passwords_lock_the_account_on_postgresql(pg_engine, monkeypatch):
    """The atomic attempt count holds on PostgreSQL too (row locks, not SQLite's file lock)."""
    from bot.db.types import utcnow
    from bot.staff import auth
    from bot.staff.config import StaffConfig

    from .conftest import PASSWORD
    from .test_staff_hardening import PARALLEL_GUESSES, parallel_guesses

    monkeypatch.setattr(auth, "engine", lambda: pg_engine)
    config = StaffConfig("test-only", 60, False, 5, 15, "UTC", 50)  # five tries, 15 minutes
    monkeypatch.setattr(auth, "get_config", lambda: config)
    email = "parallel-pg@mendpt.example"
    auth.add_user(email, PASSWORD, "staff")
    outcomes = parallel_guesses(email)
    assert outcomes.count("wrong") == 4
    assert outcomes.count("locked") == PARALLEL_GUESSES - 4
    with pg_engine.connect() as conn:
        locked_until = conn.execute(
            sa.select(auth.users.c.locked_until).where(auth.users.c.email == email)
        ).scalar_one()
    assert locked_until > utcnow()
    assert auth.authenticate(email, PASSWORD) == (None, "locked")
