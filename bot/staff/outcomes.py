"""What happened to each conversation's booking, from stored requests rather than intents mentioned.

* sent: a booking request is stored for the conversation (``booking_requests``);
* failed to store: the bot tried to send one and no reference came back (``booking_failed_keys``
  in the summary), and no request with that key was stored later;
* abandoned: the booking form started, nothing was sent or failed, and the patient has been quiet
  for :data:`ABANDONED_AFTER` (a form still being filled in is not abandoned yet).

Abandoned never overlaps the other two. A conversation can have both a sent request and a failed
one (a second request that was lost), and then counts in both: each is something staff must know.
The dashboard counts sent *requests* (rows) and failed or abandoned *conversations*.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.booking.models import BookingRequest
from bot.db.types import utcnow
from bot.staff.summary import summaries

ABANDONED_AFTER = timedelta(minutes=30)
bookings = BookingRequest.__table__


def booking_expressions(now: datetime | None = None) -> dict[str, Any]:
    """``sent``, ``failed`` and ``abandoned`` as SQL booleans over a summary row."""
    s = summaries.c
    own = bookings.c.conversation_id == s.sender_id
    sent = sa.exists().where(own)
    retried = sa.exists().where(own, s.booking_failed_keys.contains(bookings.c.idempotency_key))
    failed = sa.and_(s.booking_failed_keys.isnot(None), sa.not_(retried))
    quiet_since = (now or utcnow()) - ABANDONED_AFTER
    abandoned = sa.and_(
        s.has_booking.is_(True), s.last_at < quiet_since, sa.not_(sent), sa.not_(failed)
    )
    return {"sent": sent, "failed": failed, "abandoned": abandoned}
