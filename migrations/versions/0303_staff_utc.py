"""Staff tables: times as UTC datetimes instead of epoch seconds (issue 11).

Bookings and SMS already stored ``timestamp with time zone``; the staff tables stored floats.
Every value is kept: the same instant before and after, and back again on downgrade.

* PostgreSQL: one ``ALTER COLUMN ... TYPE`` per column, converting with ``to_timestamp`` (and
  ``extract(epoch ...)`` on the way back).
* SQLite: the table is rebuilt (batch mode) to declare the new type, and the values are
  rewritten in the text form SQLAlchemy stores UTC datetimes in ("2026-11-25 14:05:00.000000").
  The rebuild copies with ``CAST``, which keeps numbers but would turn that text into a number
  ("2026"), so numbers are rewritten as text after the rebuild and text as numbers before it.

Written by hand; it must match ``bot/staff/models.py`` (``bot.db.types.UTCDateTime``).

Revision ID: 0303_staff_utc
Revises: 0302_staff_inbox
Create Date: 2026-11-26
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0303_staff_utc"
down_revision = "0302_staff_inbox"
branch_labels = None
depends_on = None

UTC = dt.timezone.utc
# table -> its time columns (all were epoch seconds).
COLUMNS = {
    "staff_users": ("locked_until", "created_at", "last_login_at"),
    "staff_sessions": ("created_at", "expires_at"),
    "audit_log": ("at",),
    "conversation_summaries": ("started_at", "last_at"),
    "conversation_reviews": ("reviewed_at", "updated_at"),
    "intent_corrections": ("corrected_at",),
    "staff_sync_state": ("updated_at",),
    "request_handling": ("updated_at",),
    "request_status_changes": ("changed_at",),
}
DATETIME = sa.DateTime(timezone=True)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _alter(table: str, to_type: sa.types.TypeEngine, from_type: sa.types.TypeEngine, using: str):
    with op.batch_alter_table(table) as batch:
        for column in COLUMNS[table]:
            batch.alter_column(
                column,
                type_=to_type,
                existing_type=from_type,
                postgresql_using=using.format(column=column),
            )


def _rewrite(table: str, column: str, old_type, new_type, convert, stored: str) -> None:
    """SQLite: replace each distinct stored value of ``column`` (of SQLite type ``stored``)."""
    conn = op.get_bind()
    found = conn.execute(
        sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE typeof({column}) IN ({stored})")
    ).scalars()
    pairs = [{"old": value, "new": convert(value)} for value in found]
    if pairs:
        update = sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old").bindparams(
            sa.bindparam("old", type_=old_type), sa.bindparam("new", type_=new_type)
        )
        conn.execute(update, pairs)


def _epoch_to_text(value: float) -> dt.datetime:
    # Naive UTC: SQLAlchemy's SQLite DATETIME writes it as the text UTCDateTime reads back.
    return dt.datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


def _text_to_epoch(value: str) -> float:
    moment = dt.datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        _alter(table, DATETIME, sa.Float(), "to_timestamp({column})")
        if not _postgresql():
            for column in columns:
                _rewrite(
                    table, column, sa.Float(), sa.DateTime(), _epoch_to_text, "'real', 'integer'"
                )


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        if not _postgresql():
            for column in columns:
                _rewrite(table, column, sa.Text(), sa.Float(), _text_to_epoch, "'text'")
        _alter(table, sa.Float(), DATETIME, "extract(epoch from {column})")
