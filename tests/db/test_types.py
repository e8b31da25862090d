"""UTCDateTime: one instant in, the same instant out as aware UTC, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.db.types import UTCDateTime, as_utc
from tests.support.services import fresh_postgres_database

UTC = dt.timezone.utc
metadata = sa.MetaData()
moments = sa.Table(
    "moments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path) -> Iterator[sa.engine.Engine]:
    def made(url: str) -> sa.engine.Engine:
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        return engine

    if request.param == "sqlite":
        engine = made(f"sqlite:///{tmp_path / 'types.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database("mend_test_types") as url:
        engine = made(url)
        yield engine
        engine.dispose()


def test_times_come_back_as_aware_utc_and_compare_across_zones(engine):
    denver = dt.datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/Denver"))  # 08:30 UTC
    utc = dt.datetime(2026, 3, 8, 8, 0, 0, 250000, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(moments.insert(), [{"id": 1, "at": denver}, {"id": 2, "at": utc}])
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(moments.c.id, moments.c.at)).all())
        later = conn.execute(
            sa.select(moments.c.id).where(moments.c.at > dt.datetime(2026, 3, 8, 8, 15, tzinfo=UTC))
        ).scalars()
        assert list(later) == [1]  # SQLite compares the stored text: both must be UTC
    assert rows[1] == denver and rows[1].tzinfo is UTC
    assert rows[1].isoformat() == "2026-03-08T08:30:00+00:00"
    assert rows[2] == utc and rows[2].tzinfo is UTC


def test_naive_times_are_refused(engine):
    with pytest.raises(sa.exc.StatementError, match="naive"), engine.begin() as conn:
        conn.execute(moments.insert().values(id=3, at=dt.datetime(2026, 3, 8, 8, 0)))


def test_as_utc_takes_naive_times_as_utc():
    assert as_utc(None) is None
    assert as_utc(dt.datetime(2026, 1, 1, 12, 0)) == dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    paris = dt.datetime(2026, 1, 1, 13, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert as_utc(paris).isoformat() == "2026-01-01T12:00:00+00:00"
