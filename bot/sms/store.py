"""Database operations for SMS: opt-outs, replay protection and the numbered options offered.

Each operation is one short transaction that is safe when several Rasa servers share the
database: the decisions ("is this MessageSid new?", "was this number already opted out?") are
made by the database (primary keys, conditional updates), never by a read followed by a write.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.db import session_scope
from bot.sms.models import SmsInboundMessage, SmsOfferedOptions, SmsOptOut

MAX_OPTIONS = 9  # a single digit is all a patient should have to type


def _now() -> datetime:
    return datetime.now(timezone.utc)


def claim_message(message_sid: str) -> bool:
    """Record ``message_sid`` as processed; False if it was already (a replay or a retry)."""
    try:
        with session_scope() as session:
            session.execute(
                sa.insert(SmsInboundMessage).values(message_sid=message_sid, received_at=_now())
            )
    except IntegrityError:
        return False
    return True


def _still_out() -> sa.sql.ColumnElement:
    """Opted out: never opted back in, or opted out again since (staff review reads it so)."""
    return sa.or_(SmsOptOut.opted_in_at.is_(None), SmsOptOut.opted_in_at < SmsOptOut.opted_out_at)


def is_opted_out(phone: str) -> bool:
    with session_scope() as session:
        row = session.execute(
            sa.select(SmsOptOut.phone_e164).where(SmsOptOut.phone_e164 == phone, _still_out())
        ).first()
    return row is not None


def opt_out(phone: str) -> bool:
    """Record an opt-out; True if the number was not opted out before (so confirm once)."""
    try:
        with session_scope() as session:
            session.execute(
                sa.insert(SmsOptOut).values(phone_e164=phone, opted_out_at=_now(), opted_in_at=None)
            )
        return True
    except IntegrityError:
        pass
    with session_scope() as session:
        result = session.execute(
            sa.update(SmsOptOut)
            .where(SmsOptOut.phone_e164 == phone, sa.not_(_still_out()))
            .values(opted_out_at=_now(), opted_in_at=None)
        )
        return result.rowcount == 1


def opt_in(phone: str) -> bool:
    """Lift an opt-out; True if the number was opted out."""
    with session_scope() as session:
        result = session.execute(
            sa.update(SmsOptOut)
            .where(SmsOptOut.phone_e164 == phone, _still_out())
            .values(opted_in_at=_now())
        )
        return result.rowcount == 1


def save_options(phone: str, options: list[dict[str, Any]]) -> None:
    """Remember the numbered choices just offered (an empty list forgets them)."""
    with session_scope() as session:
        if not options:
            session.execute(
                sa.delete(SmsOfferedOptions).where(SmsOfferedOptions.phone_e164 == phone)
            )
            return
        values = {
            "phone_e164": phone,
            "options_json": json.dumps(options[:MAX_OPTIONS]),
            "offered_at": _now(),
        }
        insert = _dialect_insert(session.get_bind().dialect.name)(SmsOfferedOptions)
        session.execute(
            insert.values(**values).on_conflict_do_update(
                index_elements=[SmsOfferedOptions.phone_e164],
                set_={"options_json": values["options_json"], "offered_at": values["offered_at"]},
            )
        )


def _dialect_insert(dialect: str) -> Any:
    """INSERT with ON CONFLICT: one statement, so two servers saving at once cannot collide."""
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"SMS options need PostgreSQL or SQLite, not {dialect}")


def load_options(phone: str) -> list[dict[str, Any]]:
    with session_scope() as session:
        row = session.execute(
            sa.select(SmsOfferedOptions.options_json).where(SmsOfferedOptions.phone_e164 == phone)
        ).first()
    if row is None:
        return []
    try:
        options = json.loads(row.options_json)
    except ValueError:
        return []
    return options if isinstance(options, list) else []


def forget_processed(older_than_days: int) -> int:
    """Delete MessageSids older than that (Twilio retries within minutes); returns how many."""
    cutoff = _now() - timedelta(days=older_than_days)
    with session_scope() as session:
        result = session.execute(
            sa.delete(SmsInboundMessage).where(SmsInboundMessage.received_at < cutoff)
        )
        return result.rowcount
