"""The staff migrations match the models, and 0303_staff_utc keeps every stored time.

Before 0303 the staff tables held epoch seconds; a database written then must show the same
sign-ins, lock-outs, sessions and conversation times after the upgrade (and after a downgrade).
Runs on SQLite and on a fresh PostgreSQL database (skipped when unreachable, unless CI=true).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command

from bot.db import Base
from bot.db.migrate import alembic_config, upgrade
from bot.db.types import from_epoch
from tests.support.schema import schema_differences
from tests.support.services import fresh_postgres_database

BEFORE = "0302_staff_inbox"
T = 1764057600.123456  # 2025-11-25 08:00:00.123456 UTC
# Rows as the staff feature wrote them before 0303: every time column, epoch seconds.
OLD_ROWS = {
    "staff_users": [
        {
            "id": 1,
            "email": "locked@mendpt.example",
            "password_hash": "x",
            "role": "staff",
            "failed_attempts": 5,
            "locked_until": T + 900,
            "created_at": T - 86400,
            "last_login_at": None,
        },
        {
            "id": 2,
            "email": "signed.in@mendpt.example",
            "password_hash": "x",
            "role": "admin",
            "failed_attempts": 0,
            "locked_until": None,
            "created_at": T - 2 * 86400 + 0.5,
            "last_login_at": T + 1,
        },
    ],
    "staff_sessions": [
        {
            "token_hash": "h",
            "user_id": 2,
            "csrf_token": "c",
            "created_at": T + 1,
            "expires_at": T + 3601,
        }
    ],
    "audit_log": [{"id": 1, "at": T + 2, "action": "sign_in"}],
    "conversation_summaries": [
        {
            "id": 1,
            "sender_id": "web-1",
            "channel": "web",
            "started_at": T - 600.25,
            "last_at": T - 5,
            "min_confidence": 0.42,
        }
    ],
    "conversation_reviews": [
        {"sender_id": "web-1", "reviewed": True, "reviewed_at": T + 3, "updated_at": T + 4},
        {"sender_id": "web-2", "reviewed": False, "reviewed_at": None, "updated_at": None},
    ],
    "intent_corrections": [
        {
            "id": 1,
            "event_id": 7,
            "sender_id": "web-1",
            "text": "hips",
            "corrected_intent": "why_check_hips",
            "corrected_at": T + 5,
        }
    ],
    "staff_sync_state": [{"id": 1, "last_event_id": 0, "updated_at": T + 6}],
    "request_handling": [{"kind": "booking", "request_id": 1, "version": 2, "updated_at": T + 7}],
    "request_status_changes": [
        {
            "id": 1,
            "kind": "booking",
            "request_id": 1,
            "from_status": "new",
            "to_status": "contacted",
            "changed_by": "signed.in@mendpt.example",
            "changed_at": T + 7,
        }
    ],
}
STAFF_TABLES = tuple(OLD_ROWS)
TIME_COLUMNS = {
    "locked_until",
    "created_at",
    "last_login_at",
    "expires_at",
    "at",
    "started_at",
    "last_at",
    "reviewed_at",
    "updated_at",
    "corrected_at",
    "changed_at",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'staff.db'}"
        return
    with fresh_postgres_database("mend_test_staff_mig") as url:
        yield url


def _key(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns)


def _write_old_rows(url: str) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine, only=STAFF_TABLES)
    with engine.begin() as conn:
        for name, rows in OLD_ROWS.items():
            conn.execute(metadata.tables[name].insert(), rows)
    engine.dispose()


def _stored(url: str, tables: sa.MetaData | None = None) -> dict[str, list[dict]]:
    """Every old row as read back, by table, through ``tables`` (reflected when None)."""
    engine = sa.create_engine(url)
    if tables is None:
        tables = sa.MetaData()
        tables.reflect(engine, only=STAFF_TABLES)
    found = {}
    with engine.connect() as conn:
        for name in STAFF_TABLES:
            table = tables.tables[name]
            query = sa.select(table).order_by(*_key(table))
            found[name] = [dict(row) for row in conn.execute(query).mappings()]
    engine.dispose()
    return found


def _expected(convert) -> dict[str, list[dict]]:
    return {
        name: [
            {key: convert(value) if key in TIME_COLUMNS else value for key, value in row.items()}
            for row in rows
        ]
        for name, rows in OLD_ROWS.items()
    }


def _only_written(found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The columns the old rows set (the others hold defaults)."""
    return {
        name: [
            {key: row[key] for key in old} for row, old in zip(rows, OLD_ROWS[name], strict=False)
        ]
        for name, rows in found.items()
    }


def test_the_staff_tables_match_the_models(empty_url):
    upgrade(empty_url)
    engine = sa.create_engine(empty_url)
    try:
        assert schema_differences(engine, STAFF_TABLES) == []
    finally:
        engine.dispose()


def test_epoch_times_read_back_as_the_same_instants_after_0303(empty_url):
    config = alembic_config(empty_url)
    command.upgrade(config, BEFORE)
    _write_old_rows(empty_url)

    upgrade(empty_url)
    after = _stored(empty_url, Base.metadata)
    assert _only_written(after) == _expected(from_epoch)
    users = {row["email"]: row for row in after["staff_users"]}
    assert users["locked@mendpt.example"]["locked_until"].isoformat() == (
        "2025-11-25T08:15:00.123456+00:00"
    )
    # Stored so that the app's own comparisons find them (SQLite compares the text).
    engine = sa.create_engine(empty_url)
    table = Base.metadata.tables["staff_sessions"]
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.expires_at == from_epoch(T + 3601))
        ).scalar()
    engine.dispose()
    assert found == 1

    command.downgrade(config, BEFORE)
    back = _only_written(_stored(empty_url))
    approx = _expected(lambda value: value if value is None else pytest.approx(value, abs=1e-6))
    assert back == approx
