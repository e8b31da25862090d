"""Tables for booking requests, requests to talk to a person, and the staff-notification outbox.

The schema is created by the Alembic migration ``migrations/versions/0101_bookings.py``; these
models must match it. The outbox lives in the same database so a request and "tell the staff"
are written in one transaction: a request is never stored without its notification, and a
failed notification never touches the request.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.db import Base
from bot.db.types import UTCDateTime, utcnow

NAME_MAX = 200
CONTACT_MAX = 320
SHORT_MAX = 64
KEY_MAX = 255


class BookingRequest(Base):
    """A patient's request for an appointment; staff call or write back to book it."""

    __tablename__ = "booking_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False)
    idempotency_key = sa.Column(sa.String(KEY_MAX), nullable=False)
    conversation_id = sa.Column(sa.String(KEY_MAX), nullable=False, index=True)
    channel = sa.Column(sa.String(SHORT_MAX), nullable=False)
    name = sa.Column(sa.String(NAME_MAX), nullable=False)
    contact_kind = sa.Column(sa.String(8), nullable=False)
    contact_value = sa.Column(sa.String(CONTACT_MAX), nullable=False)
    clinic_location = sa.Column(sa.String(SHORT_MAX), nullable=True)
    preferred_times = sa.Column(sa.Text, nullable=True)
    reason = sa.Column(sa.Text, nullable=True)
    status = sa.Column(sa.String(32), nullable=False, default="new", server_default="new")
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("reference", name="uq_booking_requests_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_booking_requests_idempotency_key"),
        sa.CheckConstraint(
            "contact_kind IN ('phone', 'email')", name="ck_booking_requests_contact_kind"
        ),
        # The staff inbox lists requests by date and status (migration 0302_staff_inbox).
        sa.Index("ix_booking_requests_status_created", "status", "created_at"),
        sa.Index("ix_booking_requests_created", "created_at"),
    )


class HandoffRequest(Base):
    """A patient asked to talk to a person; the conversation is flagged for staff review."""

    __tablename__ = "handoff_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False)
    idempotency_key = sa.Column(sa.String(KEY_MAX), nullable=False)
    conversation_id = sa.Column(sa.String(KEY_MAX), nullable=False, index=True)
    channel = sa.Column(sa.String(SHORT_MAX), nullable=False)
    contact_kind = sa.Column(sa.String(8), nullable=True)
    contact_value = sa.Column(sa.String(CONTACT_MAX), nullable=True)
    reason = sa.Column(sa.Text, nullable=True)
    status = sa.Column(sa.String(32), nullable=False, default="new", server_default="new")
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("reference", name="uq_handoff_requests_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_handoff_requests_idempotency_key"),
        sa.CheckConstraint(
            "contact_kind IS NULL OR contact_kind IN ('phone', 'email')",
            name="ck_handoff_requests_contact_kind",
        ),
        sa.Index("ix_handoff_requests_status_created", "status", "created_at"),
        sa.Index("ix_handoff_requests_created", "created_at"),
    )


class NotificationOutbox(Base):
    """One staff notification to deliver for one request (transactional outbox).

    ``payload`` holds no personal data (kind, reference, ids); the message is built from the
    request row at delivery time. ``email_sent_at`` / ``webhook_sent_at`` record each notifier
    separately so a retry after a webhook failure does not send the email twice.
    ``next_attempt_at`` doubles as a short lease while a worker is delivering the row.
    """

    __tablename__ = "notification_outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(16), nullable=False)
    request_id = sa.Column(sa.Integer, nullable=False)
    payload = sa.Column(sa.JSON, nullable=False)
    attempts = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    delivered_at = sa.Column(UTCDateTime, nullable=True)
    email_sent_at = sa.Column(UTCDateTime, nullable=True)
    webhook_sent_at = sa.Column(UTCDateTime, nullable=True)
    last_error = sa.Column(sa.String(500), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("kind IN ('booking', 'handoff')", name="ck_notification_outbox_kind"),
        sa.Index("ix_notification_outbox_pending", "delivered_at", "next_attempt_at"),
        sa.Index("ix_notification_outbox_request", "kind", "request_id"),
    )
