"""The staff review tables (migrations ``0301_staff`` and ``0302_staff_inbox``) and a read-only
view of Rasa's ``events``.

The ``events`` table belongs to Rasa (its SQL tracker store creates it), so it lives in a separate
``MetaData`` that Alembic never sees; our own tables use the project's ``Base``.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.db import Base
from bot.db.types import UTCDateTime

# Rasa's SQLTrackerStore.SQLEvent, described for reading only (rasa/core/tracker_store.py).
rasa_metadata = sa.MetaData()
events = sa.Table(
    "events",
    rasa_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(255), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    role = sa.Column(sa.String(16), nullable=False, default="staff")
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    failed_attempts = sa.Column(sa.Integer, nullable=False, default=0)
    locked_until = sa.Column(UTCDateTime)  # sign-in refused until then
    created_at = sa.Column(UTCDateTime, nullable=False)
    last_login_at = sa.Column(UTCDateTime)


class StaffSession(Base):
    """Server-side sessions, so signing out really ends a session (the cookie holds a token)."""

    __tablename__ = "staff_sessions"

    token_hash = sa.Column(sa.String(64), primary_key=True)
    user_id = sa.Column(
        sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    expires_at = sa.Column(UTCDateTime, nullable=False)


class AuditLog(Base):
    """Who did what: sign-ins, opened conversations, exports, revealed contacts. No patient text."""

    __tablename__ = "audit_log"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False, index=True)
    user_id = sa.Column(sa.Integer)
    user_email = sa.Column(sa.String(255))
    action = sa.Column(sa.String(64), nullable=False)
    target = sa.Column(sa.String(255))
    detail = sa.Column(sa.Text)


class ConversationSummary(Base):
    """One row per conversation (Rasa sender id), rebuilt from its events as new events arrive."""

    __tablename__ = "conversation_summaries"
    __table_args__ = (
        sa.Index("ix_conv_summ_started", "started_at"),
        sa.Index("ix_conv_summ_channel_started", "channel", "started_at"),
        sa.Index("ix_conv_summ_emergency_started", "has_emergency", "started_at"),
        sa.Index("ix_conv_summ_fallback_started", "has_fallback", "started_at"),
        sa.Index("ix_conv_summ_booking_started", "has_booking", "started_at"),
        sa.Index("ix_conv_summ_person_started", "has_person", "started_at"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False, unique=True)
    channel = sa.Column(sa.String(16), nullable=False)  # web | sms | other
    input_channel = sa.Column(sa.String(64))
    started_at = sa.Column(UTCDateTime, nullable=False)
    last_at = sa.Column(UTCDateTime, nullable=False)
    first_question = sa.Column(sa.Text)
    turns = sa.Column(sa.Integer, nullable=False, default=0)
    topics = sa.Column(sa.Text)  # intents in order of first use, space separated
    has_fallback = sa.Column(sa.Boolean, nullable=False, default=False)
    has_emergency = sa.Column(sa.Boolean, nullable=False, default=False)
    # The booking form started (a stored request is what makes the Booking flag, not this).
    has_booking = sa.Column(sa.Boolean, nullable=False, default=False)
    # Booking keys whose "send" ran but brought no reference back (storage failed), space separated.
    booking_failed_keys = sa.Column(sa.Text)
    has_person = sa.Column(sa.Boolean, nullable=False, default=False)
    min_confidence = sa.Column(sa.Float)
    search_text = sa.Column(sa.Text)  # the user's messages, lower case, for search
    event_count = sa.Column(sa.Integer, nullable=False, default=0)
    last_event_id = sa.Column(sa.Integer, nullable=False, default=0)


class ConversationReview(Base):
    __tablename__ = "conversation_reviews"

    sender_id = sa.Column(sa.String(255), primary_key=True)
    reviewed = sa.Column(sa.Boolean, nullable=False, default=False, index=True)
    reviewed_by = sa.Column(sa.String(255))
    reviewed_at = sa.Column(UTCDateTime)
    notes = sa.Column(sa.Text)
    tags = sa.Column(sa.String(255))
    updated_at = sa.Column(UTCDateTime)


class IntentCorrection(Base):
    """A staff member's verdict on what a user message meant: next round's training data."""

    __tablename__ = "intent_corrections"

    id = sa.Column(sa.Integer, primary_key=True)
    event_id = sa.Column(sa.Integer, nullable=False, unique=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    text = sa.Column(sa.Text, nullable=False)
    original_intent = sa.Column(sa.String(255))
    corrected_intent = sa.Column(sa.String(255), nullable=False)
    corrected_by = sa.Column(sa.String(255))
    corrected_at = sa.Column(UTCDateTime, nullable=False)


class StaffSyncState(Base):
    """How far the summaries have read the ``events`` table (one row, id 1)."""

    __tablename__ = "staff_sync_state"

    id = sa.Column(sa.Integer, primary_key=True)
    last_event_id = sa.Column(sa.Integer, nullable=False, default=0)
    updated_at = sa.Column(UTCDateTime)


class RequestHandling(Base):
    """How far staff have got with one booking or handoff request (migration ``0302_staff_inbox``).

    The request's status itself stays in its own table (``booking_requests.status``); this row adds
    what the front desk needs around it: who handled it, why it was closed, and ``version``, which
    every change must quote, so two people working the queue never overwrite each other.
    """

    __tablename__ = "request_handling"

    kind = sa.Column(sa.String(16), primary_key=True)  # booking | handoff
    request_id = sa.Column(sa.Integer, primary_key=True)
    version = sa.Column(sa.Integer, nullable=False, default=1)
    closed_reason = sa.Column(sa.String(32))
    handled_by = sa.Column(sa.String(255))
    updated_at = sa.Column(UTCDateTime, nullable=False)


class RequestStatusChange(Base):
    """One status change of a request: who, when, from, to, and why (for "closed")."""

    __tablename__ = "request_status_changes"
    __table_args__ = (sa.Index("ix_request_status_changes_request", "kind", "request_id"),)

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(16), nullable=False)
    request_id = sa.Column(sa.Integer, nullable=False)
    from_status = sa.Column(sa.String(32), nullable=False)
    to_status = sa.Column(sa.String(32), nullable=False)
    reason = sa.Column(sa.String(32))
    changed_by = sa.Column(sa.String(255), nullable=False)
    changed_at = sa.Column(UTCDateTime, nullable=False)
