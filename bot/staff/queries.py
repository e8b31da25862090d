"""What the staff pages show: the filtered conversation list, a transcript, the dashboard numbers.

Everything reads the summary table (kept current by :mod:`bot.staff.summary`) and joins the
other features' tables (bookings, handoffs, SMS opt-outs), which the migrations always create.
Times are aware UTC datetimes (:class:`bot.db.types.UTCDateTime`); day boundaries are the clinic's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.booking.models import BookingRequest, HandoffRequest
from bot.sms.models import SmsOptOut
from bot.staff.models import ConversationReview, IntentCorrection
from bot.staff.outcomes import booking_expressions
from bot.staff.summary import summaries

FLAGS = (
    "fallback",
    "emergency",
    "booking",
    "booking_failed",
    "booking_abandoned",
    "person",
    "opted_out",
)
FLAG_LABELS = {
    "fallback": "Not understood",
    "emergency": "Emergency",
    "booking": "Booking sent",
    "booking_failed": "Booking not stored",
    "booking_abandoned": "Booking abandoned",
    "person": "Asked for a person",
    "opted_out": "Opted out (SMS)",
}
CHANNELS = ("web", "sms")
reviews = ConversationReview.__table__
corrections = IntentCorrection.__table__
bookings = BookingRequest.__table__
handoffs = HandoffRequest.__table__
opt_outs = SmsOptOut.__table__


# --- filters -------------------------------------------------------------------------------


# Dates staff may filter on. Far-off years (0001, 9999) only come from edited URLs, and day
# arithmetic near the ends of the calendar would raise OverflowError.
MIN_YEAR, MAX_YEAR = 2000, 2100
# Largest id a SQL BIGINT holds; bigger numbers in a URL cannot be a conversation.
MAX_ID = 2**63 - 1
DATE_NOTE = f"dates must be YYYY-MM-DD between {MIN_YEAR} and {MAX_YEAR}"


def _parse_date(value: str | None) -> dt.date | None:
    """A YYYY-MM-DD date in the supported years; anything else is None (the filter is ignored)."""
    try:
        day = dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None
    return day if day is not None and MIN_YEAR <= day.year <= MAX_YEAR else None


def ignored_dates(params: Any, names: tuple[str, ...] = ("from", "to")) -> list[str]:
    """The date parameters given but unusable, so the page can say it ignored them."""
    return [
        name
        for name in names
        if (params.get(name) or "").strip() and not _parse_date(params.get(name))
    ]


def valid_id(value: int) -> bool:
    """Whether ``value`` can be a row id; databases refuse (SQLite: OverflowError) bigger ones."""
    return 0 < value <= MAX_ID


@dataclass
class ListFilters:
    channel: str = ""
    flags: list[str] = field(default_factory=list)
    reviewed: str = ""  # "" any, "yes", "no"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    tag: str = ""
    page: int = 1
    ignored: list[str] = field(default_factory=list)  # malformed date parameters, shown to staff

    @classmethod
    def from_params(cls, params: Any) -> ListFilters:
        """From query parameters; anything unknown or malformed is ignored, never an error."""
        try:
            page = max(1, min(int(params.get("page") or 1), 100000))
        except ValueError:
            page = 1
        channel = params.get("channel") or ""
        reviewed = params.get("reviewed") or ""
        return cls(
            channel=channel if channel in CHANNELS else "",
            flags=[flag for flag in FLAGS if flag in params.getlist("flag")],
            reviewed=reviewed if reviewed in {"yes", "no"} else "",
            date_from=_parse_date(params.get("from")),
            date_to=_parse_date(params.get("to")),
            q=(params.get("q") or "").strip()[:200],
            tag=(params.get("tag") or "").strip().lower()[:50],
            page=page,
            ignored=ignored_dates(params),
        )

    def query_string(self, **overrides: Any) -> str:
        pairs: list[tuple[str, str]] = []
        values = {
            "channel": self.channel,
            "reviewed": self.reviewed,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "q": self.q,
            "tag": self.tag,
            "page": str(self.page) if self.page > 1 else "",
        }
        values.update({k: str(v) for k, v in overrides.items()})
        pairs += [(k, v) for k, v in values.items() if v and not (k == "page" and v == "1")]
        pairs += [("flag", flag) for flag in self.flags]
        return urlencode(pairs)

    def describe(self) -> dict[str, Any]:
        """For the audit log: which filters an export used (the search text is not recorded)."""
        return {
            "channel": self.channel or None,
            "flags": self.flags or None,
            "reviewed": self.reviewed or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "search": bool(self.q),
            "tag": self.tag or None,
        }


def day_start(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """Midnight of ``day`` in the clinic's time zone, in UTC (how times are stored)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.timezone.utc)


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def flag_columns() -> dict[str, sa.sql.ColumnElement]:
    """Each flag as a boolean SQL expression over the summary row (and other features' rows)."""
    s = summaries.c
    booking = booking_expressions()
    person = sa.or_(s.has_person, sa.exists().where(handoffs.c.conversation_id == s.sender_id))
    o = opt_outs.c
    still_out = sa.or_(o.opted_in_at.is_(None), o.opted_in_at < o.opted_out_at)
    opted_out = sa.exists().where(o.phone_e164 == s.sender_id, still_out)
    return {
        "fallback": s.has_fallback,
        "emergency": s.has_emergency,
        "booking": booking["sent"],
        "booking_failed": booking["failed"],
        "booking_abandoned": booking["abandoned"],
        "person": person,
        "opted_out": opted_out,
    }


def filtered_select(filters: ListFilters, tz: ZoneInfo) -> sa.sql.Select:
    flags = flag_columns()
    s = summaries.c
    query = sa.select(
        summaries,
        reviews.c.reviewed,
        reviews.c.tags,
        *[expression.label(f"flag_{name}") for name, expression in flags.items()],
    ).select_from(summaries.outerjoin(reviews, reviews.c.sender_id == s.sender_id))
    if filters.channel:
        query = query.where(s.channel == filters.channel)
    for flag in filters.flags:
        query = query.where(flags[flag])
    if filters.reviewed == "yes":
        query = query.where(reviews.c.reviewed.is_(True))
    elif filters.reviewed == "no":
        query = query.where(sa.or_(reviews.c.reviewed.is_(None), reviews.c.reviewed.is_(False)))
    if filters.date_from:
        query = query.where(s.started_at >= day_start(filters.date_from, tz))
    if filters.date_to:
        query = query.where(s.started_at < day_start(filters.date_to + dt.timedelta(days=1), tz))
    for word in filters.q.split():
        query = query.where(s.search_text.like(_like_pattern(word), escape="\\"))
    if filters.tag:
        query = query.where(
            sa.func.lower(reviews.c.tags).like(_like_pattern(filters.tag), escape="\\")
        )
    return query


def list_page(
    engine: sa.engine.Engine, filters: ListFilters, tz: ZoneInfo, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of conversations, newest first, and the number of matches."""
    query = filtered_select(filters, tz)
    count_query = sa.select(sa.func.count()).select_from(
        query.with_only_columns(summaries.c.id).subquery()
    )
    page_query = (
        query.order_by(summaries.c.started_at.desc(), summaries.c.id.desc())
        .limit(page_size)
        .offset((filters.page - 1) * page_size)
    )
    with engine.connect() as conn:
        total = conn.execute(count_query).scalar() or 0
        rows = [dict(row) for row in conn.execute(page_query).mappings()]
    return rows, int(total)


def all_rows(engine: sa.engine.Engine, filters: ListFilters, tz: ZoneInfo, limit: int = 100000):
    query = (
        filtered_select(filters, tz)
        .order_by(summaries.c.started_at.desc(), summaries.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            yield dict(row)


# --- one conversation ----------------------------------------------------------------------


def summary_by_id(engine: sa.engine.Engine, conversation_id: int) -> dict[str, Any] | None:
    if not valid_id(conversation_id):
        return None
    query = sa.select(summaries).where(summaries.c.id == conversation_id)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def review_for(engine: sa.engine.Engine, sender_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(reviews).where(reviews.c.sender_id == sender_id))
            .mappings()
            .first()
        )
    return dict(row) if row else {"reviewed": False, "notes": "", "tags": ""}


def attach_requests(turns: list[dict[str, Any]], requests: list[dict[str, Any]]) -> None:
    """Put each booking/handoff row under the last turn that happened before it was created."""
    for turn in turns:
        turn["requests"] = []
    if not turns:
        return
    for request in requests:
        target = turns[0]
        for turn in turns:
            if (
                turn["time"] is not None
                and request["created_at"] is not None
                and turn["time"] <= request["created_at"]
            ):
                target = turn
        target["requests"].append(request)


# --- dashboard -----------------------------------------------------------------------------


def dashboard(
    engine: sa.engine.Engine, start: dt.date, end: dt.date, tz: ZoneInfo
) -> dict[str, Any]:
    """Numbers for the dashboard between two days (inclusive), in the clinic's time zone.

    Booking figures come from what happened: requests stored in the period (sent), and
    conversations of the period whose request failed to store or whose form was abandoned.
    """
    lower, upper = day_start(start, tz), day_start(end + dt.timedelta(days=1), tz)
    s = summaries.c
    flags = flag_columns()
    query = sa.select(
        s.started_at,
        s.channel,
        s.topics,
        s.has_fallback,
        s.has_emergency,
        flags["booking_failed"].label("booking_failed"),
        flags["booking_abandoned"].label("booking_abandoned"),
        flags["person"].label("person"),
    ).where(s.started_at >= lower, s.started_at < upper)
    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    topics: Counter = Counter()
    totals: Counter = Counter()
    with engine.connect() as conn:
        for row in conn.execute(query):
            day = row.started_at.astimezone(tz).date()
            per_day[day][row.channel] += 1
            topics.update((row.topics or "").split())
            totals["conversations"] += 1
            totals["fallback"] += bool(row.has_fallback)
            totals["emergency"] += bool(row.has_emergency)
            totals["booking_failed"] += bool(row.booking_failed)
            totals["booking_abandoned"] += bool(row.booking_abandoned)
            totals["person"] += bool(row.person)
        totals.update(_requests_stored(conn, lower, upper))
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
    rate = totals["fallback"] / totals["conversations"] if totals["conversations"] else 0.0
    return {
        "days": [(day, per_day.get(day, Counter())) for day in days],
        "topics": topics.most_common(10),
        "totals": totals,
        "fallback_rate": rate,
    }


def _requests_stored(conn: sa.engine.Connection, lower: dt.datetime, upper: dt.datetime) -> Counter:
    """Booking and handoff requests stored between two times."""
    found: Counter = Counter()
    for key, table in (("booking_sent", bookings), ("handoffs", handoffs)):
        found[key] = (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.created_at >= lower, table.c.created_at < upper)
            ).scalar()
            or 0
        )
    return found
