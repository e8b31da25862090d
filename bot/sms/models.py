"""The SMS tables (migration ``0201_sms``).

``sms_opt_outs`` is read by staff review: a number is opted out while ``opted_in_at`` is NULL
(or earlier than ``opted_out_at``); STOP sets ``opted_in_at`` back to NULL.
``sms_inbound_messages`` remembers every Twilio MessageSid processed, so a replayed or retried
webhook is never handled twice, even across several Rasa servers (the primary key decides).
``sms_offered_options`` keeps the numbered choices last offered to each number, so a reply of
"2" works whichever Rasa server receives it.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.db import Base
from bot.db.types import UTCDateTime


class SmsOptOut(Base):
    __tablename__ = "sms_opt_outs"

    phone_e164 = sa.Column(sa.String(32), primary_key=True)
    opted_out_at = sa.Column(UTCDateTime, nullable=False)
    opted_in_at = sa.Column(UTCDateTime, nullable=True)


class SmsInboundMessage(Base):
    __tablename__ = "sms_inbound_messages"

    message_sid = sa.Column(sa.String(64), primary_key=True)
    received_at = sa.Column(UTCDateTime, nullable=False)


class SmsOfferedOptions(Base):
    __tablename__ = "sms_offered_options"

    phone_e164 = sa.Column(sa.String(32), primary_key=True)
    options_json = sa.Column(sa.Text, nullable=False)  # [{"title": ..., "payload": ...}, ...]
    offered_at = sa.Column(UTCDateTime, nullable=False)
