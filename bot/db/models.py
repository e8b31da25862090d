"""Every table of the project, imported in one place so ``Base.metadata`` knows them all.

Alembic's ``migrations/env.py`` imports this module: with it, ``alembic revision --autogenerate``
compares the database with every model, not an empty metadata. Rasa's own ``events`` table is
Rasa's (its tracker store creates it); ``bot.staff.models.events`` only describes it for reading.
"""

from __future__ import annotations

from bot.booking.models import BookingRequest, HandoffRequest, NotificationOutbox
from bot.db import Base
from bot.sms.models import SmsInboundMessage, SmsOfferedOptions, SmsOptOut
from bot.staff.models import (
    AuditLog,
    ConversationReview,
    ConversationSummary,
    IntentCorrection,
    RequestHandling,
    RequestStatusChange,
    StaffSession,
    StaffSyncState,
    StaffUser,
)

__all__ = [
    "AuditLog",
    "Base",
    "BookingRequest",
    "ConversationReview",
    "ConversationSummary",
    "HandoffRequest",
    "IntentCorrection",
    "NotificationOutbox",
    "RequestHandling",
    "RequestStatusChange",
    "SmsInboundMessage",
    "SmsOfferedOptions",
    "SmsOptOut",
    "StaffSession",
    "StaffSyncState",
    "StaffUser",
]
