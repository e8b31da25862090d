"""Database operations for SMS: opt-outs, replay protection and the numbered options offered.

Each operation is one short transaction that is safe when several Rasa servers share the
database: the decisions ("is this MessageSid new?", "was this number already opted out?") are
made by the database (primary keys, conditional updates), never by a read followed by a write.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
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


def is_opted_out(phone: str) -> bool:
    with session_scope() as session:
        row = session.execute(
            sa.select(SmsOptOut.opted_in_at).where(SmsOptOut.phone_e164 == phone)
        ).first()
    return row is not None and row.opted_in_at is None


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
            .where(SmsOptOut.phone_e164 == phone, SmsOptOut.opted_in_at.isnot(None))
            .values(opted_out_at=_now(), opted_in_at=None)
        )
        return result.rowcount == 1


def opt_in(phone: str) -> bool:
    """Lift an opt-out; True if the number was opted out."""
    with session_scope() as session:
        result = session.execute(
            sa.update(SmsOptOut)
            .where(SmsOptOut.phone_e164 == phone, SmsOptOut.opted_in_at.is_(None))
            .values(opted_in_at=_now())
        )
        return result.rowcount == 1


def save_options(phone: str, options: list[dict[str, Any]]) -> None:
    """Remember the numbered choices just offered (an empty list forgets them)."""
    try:
        _replace_options(phone, options)
    except IntegrityError:  # another server saved options for this number at the same moment
        _replace_options(phone, options)


def _replace_options(phone: str, options: list[dict[str, Any]]) -> None:
    with session_scope() as session:
        session.execute(sa.delete(SmsOfferedOptions).where(SmsOfferedOptions.phone_e164 == phone))
        if options:
            session.execute(
                sa.insert(SmsOfferedOptions).values(
                    phone_e164=phone,
                    options_json=json.dumps(options[:MAX_OPTIONS]),
                    offered_at=_now(),
                )
            )


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
