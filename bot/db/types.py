"""One column type for every point in time the project stores: :class:`UTCDateTime`.

Times are stored in UTC and always read back as aware UTC datetimes, on PostgreSQL
(``timestamp with time zone``) and on SQLite, which keeps them as text without an offset: text
compares correctly only if every value is in the same zone, so the type converts to UTC before
writing. A naive datetime is refused: its zone is a guess, and a wrong guess moves a lock-out or
a request by hours without any error.

Rasa's own ``events.timestamp`` stays epoch seconds (Rasa's table); code reading it converts at
the boundary with :func:`from_epoch`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

UTC = dt.timezone.utc


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` in UTC; a naive datetime is taken to be UTC already (as SQLite returns them)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utcnow() -> dt.datetime:
    """Now, as an aware UTC datetime (what :class:`UTCDateTime` columns hold)."""
    return dt.datetime.now(UTC)


def from_epoch(seconds: float | None) -> dt.datetime | None:
    """Epoch seconds (Rasa's event timestamps) as an aware UTC datetime."""
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, UTC)


def literal_utc(value: dt.datetime) -> sa.sql.ColumnElement:
    """``value`` as a SQL literal of :class:`UTCDateTime`, for expressions such as ``CASE`` that
    would otherwise bind it as a plain datetime (local text on SQLite)."""
    return sa.literal(value, type_=UTCDateTime())


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware datetime stored in UTC; naive datetimes are refused when written."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.engine.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"UTCDateTime needs a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("UTCDateTime refuses naive datetimes: give the time zone (UTC)")
        value = value.astimezone(UTC)
        # SQLite keeps the text without an offset; PostgreSQL gets the aware value.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.engine.Dialect) -> dt.datetime | None:
        return as_utc(value)

    @property
    def python_type(self) -> type:
        return dt.datetime
