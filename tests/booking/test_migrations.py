"""Migrations create the bookings tables beside Rasa's, and match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bot.db import get_engine
from bot.db.migrate import alembic_config, upgrade
from tests.support.schema import schema_differences

OUR_TABLES = ("notification_outbox", "booking_requests", "handoff_requests")


def _check_schema(url: str) -> None:
    engine = get_engine(url)
    inspector = sa.inspect(engine)
    assert set(OUR_TABLES) <= set(inspector.get_table_names())
    with engine.connect() as connection:
        heads = set(
            connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        )
        # Applied: a head itself, or below a head (the staff inbox migration depends on it).
        script = ScriptDirectory.from_config(alembic_config(url))
        applied = {rev.revision for rev in script.iterate_revisions(list(heads), "base")}
        assert "0101_bookings" in applied
    assert schema_differences(engine, OUR_TABLES) == []


def test_upgrade_creates_tables_on_fresh_sqlite(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    _check_schema(url)
    upgrade(url)  # a second run (every `make run`) is a no-op
    _check_schema(url)


def test_upgrade_creates_tables_on_postgresql(pg_database: str) -> None:
    _check_schema(pg_database)
    upgrade(pg_database)
    _check_schema(pg_database)
