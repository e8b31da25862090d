"""The requests inbox: every booking and handoff request, their status workflow and history.

Statuses go new -> contacted -> booked or closed (with a reason); booked and closed can be reopened
(back to contacted). Each change is one transaction that first claims the request's
``request_handling.version`` (an update that only matches the version the page showed, or the
first insert), so when two people act on the same request the second is told who changed it,
never silently overwrites it; the change is kept in ``request_status_changes``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.booking.models import BookingRequest, HandoffRequest
from bot.db.types import UTC, utcnow
from bot.staff.models import RequestHandling, RequestStatusChange
from bot.staff.summary import summaries

bookings = BookingRequest.__table__
handoffs = HandoffRequest.__table__
handling = RequestHandling.__table__
changes = RequestStatusChange.__table__
TABLES = {"booking": bookings, "handoff": handoffs}

STATUS_LABELS = {"new": "New", "contacted": "Contacted", "booked": "Booked", "closed": "Closed"}
TRANSITIONS = {
    "new": ("contacted", "booked", "closed"),
    "contacted": ("booked", "closed"),
    "booked": ("contacted",),
    "closed": ("contacted",),
}
CLOSE_REASONS = {
    "no_answer": "No answer",
    "not_interested": "Not interested",
    "duplicate": "Duplicate",
    "wrong_contact": "Wrong contact details",
    "booked_elsewhere": "Booked another way",
    "other": "Other",
}
STATUS_FILTERS = {
    "open": ("new", "contacted"),
    "new": ("new",),
    "contacted": ("contacted",),
    "booked": ("booked",),
    "closed": ("closed",),
    "all": (),
}
KINDS = ("booking", "handoff")
REFERENCE = re.compile(r"^(?:MEND)?[-\s]*([0-9A-Z]{5})$")


def normalise_reference(text: str) -> str:
    """What a patient reads out ("mend 7k3q9", "7K3Q9", "MEND-7K3Q9") as the stored reference."""
    cleaned = (text or "").strip().upper()
    match = REFERENCE.match(cleaned)
    return f"MEND-{match.group(1)}" if match else cleaned[:32]


@dataclass
class InboxFilters:
    status: str = "open"
    kind: str = ""
    today: bool = False
    ref: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Any) -> InboxFilters:
        """From query parameters; anything unknown falls back to the default, never an error."""
        try:
            page = max(1, min(int(params.get("page") or 1), 100000))
        except ValueError:
            page = 1
        status = params.get("status") or "open"
        kind = params.get("kind") or ""
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            kind=kind if kind in KINDS else "",
            today=params.get("today") in {"1", "on", "yes"},
            ref=normalise_reference(params.get("ref") or "") if params.get("ref") else "",
            page=page,
        )

    def query_string(self, **overrides: Any) -> str:
        values = {
            "status": "" if self.status == "open" else self.status,
            "kind": self.kind,
            "today": "1" if self.today else "",
            "ref": self.ref,
            "page": str(self.page) if self.page > 1 else "",
        }
        values.update({k: str(v) for k, v in overrides.items()})
        return urlencode([(k, v) for k, v in values.items() if v and (k, v) != ("page", "1")])


def today_start(tz: ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """Midnight today in the clinic's time zone, in UTC (how request times are stored)."""
    local = (now or dt.datetime.now(tz)).astimezone(tz)
    return dt.datetime.combine(local.date(), dt.time(), tzinfo=tz).astimezone(UTC)


def _select_for(kind: str) -> sa.sql.Select:
    """One kind of request with the columns both kinds share (handoffs have no name or times)."""
    table = TABLES[kind]
    c = table.c
    missing = {
        "name": sa.cast(sa.null(), sa.String),
        "clinic_location": sa.cast(sa.null(), sa.String),
        "preferred_times": sa.cast(sa.null(), sa.Text),
    }
    columns = [
        sa.literal_column(f"'{kind}'", sa.String).label("kind"),
        *(
            c[name] if name in c else missing[name].label(name)
            for name in (
                "id",
                "reference",
                "conversation_id",
                "channel",
                "name",
                "contact_kind",
                "contact_value",
                "clinic_location",
                "preferred_times",
                "reason",
                "status",
                "created_at",
            )
        ),
    ]
    return sa.select(*columns)


def _where(table: sa.Table, filters: InboxFilters, tz: ZoneInfo) -> list[Any]:
    """Conditions on one request table (applied inside the union, where the indexes are)."""
    if filters.ref:  # a patient on the phone: find it whatever its status or age
        return [table.c.reference == filters.ref]
    conditions: list[Any] = []
    statuses = STATUS_FILTERS[filters.status]
    if statuses:
        conditions.append(table.c.status.in_(statuses))
    if filters.today:
        conditions.append(table.c.created_at >= today_start(tz))
    return conditions


def _filtered_union(filters: InboxFilters, tz: ZoneInfo, limit: int | None) -> sa.sql.Subquery:
    parts = []
    for kind, table in TABLES.items():
        if filters.kind and filters.kind != kind:
            continue
        part = _select_for(kind).where(*_where(table, filters, tz))
        if limit is not None:  # each part needs at most one page's worth of its newest rows
            part = part.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
        parts.append(part.subquery().select())
    return sa.union_all(*parts).subquery("requests")


def inbox_page(
    engine: sa.engine.Engine, filters: InboxFilters, tz: ZoneInfo, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of requests, newest first, with who handled them, and the number of matches."""
    offset = (filters.page - 1) * page_size
    rows = _filtered_union(filters, tz, offset + page_size)
    query = (
        sa.select(
            rows,
            handling.c.version,
            handling.c.handled_by,
            handling.c.closed_reason,
            handling.c.updated_at,
            summaries.c.id.label("conversation_pk"),
            summaries.c.channel.label("conversation_channel"),
        )
        .select_from(
            rows.outerjoin(
                handling,
                sa.and_(handling.c.kind == rows.c.kind, handling.c.request_id == rows.c.id),
            ).outerjoin(summaries, summaries.c.sender_id == rows.c.conversation_id)
        )
        .order_by(rows.c.created_at.desc(), rows.c.kind, rows.c.id.desc())
        .limit(page_size)
        .offset(offset)
    )
    count = _filtered_union(filters, tz, None)
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(count)).scalar() or 0
        found = [dict(row) for row in conn.execute(query).mappings()]
    return found, int(total)


def new_count(engine: sa.engine.Engine) -> int:
    """Requests nobody has acted on yet (the number in the navigation)."""
    with engine.connect() as conn:
        return sum(
            conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.status == "new")
            ).scalar()
            or 0
            for table in TABLES.values()
        )


# --- one request ---------------------------------------------------------------------------


def request(engine: sa.engine.Engine, kind: str, request_id: int) -> dict[str, Any] | None:
    """The request with its handling (version 0 when nobody has changed it) and history."""
    table = TABLES.get(kind)
    if table is None or not 0 < request_id < 2**63:
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == request_id)).mappings().first()
        if row is None:
            return None
        item = {"name": None, "clinic_location": None, "preferred_times": None, **dict(row)}
        item.update(kind=kind, **_handling(conn, kind, request_id))
        item["history"] = history(conn, kind, request_id)
        item["conversation_pk"] = conn.execute(
            sa.select(summaries.c.id).where(summaries.c.sender_id == item["conversation_id"])
        ).scalar()
    return item


def _handling(conn: sa.engine.Connection, kind: str, request_id: int) -> dict[str, Any]:
    row = (
        conn.execute(
            sa.select(handling).where(handling.c.kind == kind, handling.c.request_id == request_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return {"version": 0, "handled_by": None, "closed_reason": None, "updated_at": None}
    return {key: row[key] for key in ("version", "handled_by", "closed_reason", "updated_at")}


def history(conn: sa.engine.Connection, kind: str, request_id: int) -> list[dict[str, Any]]:
    """The request's status changes, oldest first."""
    query = (
        sa.select(changes)
        .where(changes.c.kind == kind, changes.c.request_id == request_id)
        .order_by(changes.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def for_conversation(engine: sa.engine.Engine, sender_id: str) -> list[dict[str, Any]]:
    """Every request of one conversation with handling and history, oldest first."""
    found = []
    with engine.connect() as conn:
        for kind, table in TABLES.items():
            ids = conn.execute(
                sa.select(table.c.id).where(table.c.conversation_id == sender_id)
            ).scalars()
            found += [(kind, request_id) for request_id in ids]
    items = [request(engine, kind, request_id) for kind, request_id in found]
    return sorted(filter(None, items), key=lambda item: (item["created_at"], item["id"]))


# --- changing the status ---------------------------------------------------------------------


class ChangeRefused(Exception):
    """The change was not made; ``current`` is the request as it is now."""

    def __init__(self, reason: str, current: dict[str, Any] | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.current = current


@dataclass
class Change:
    kind: str
    request_id: int
    version: int  # the version the staff member's page showed
    to_status: str
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def check(change: Change) -> str | None:
    """Why a change cannot be asked for at all, or None."""
    if change.to_status not in STATUS_LABELS:
        return "Choose one of the statuses."
    if change.to_status == "closed" and change.reason not in CLOSE_REASONS:
        return "Choose why the request is closed."
    return None


def change_status(engine: sa.engine.Engine, change: Change, who: str) -> dict[str, Any]:
    """Make the change, or raise :class:`ChangeRefused` ("conflict", "transition", "missing").

    Returns ``{"from": ..., "to": ..., "reference": ...}``.
    """
    table = TABLES.get(change.kind)
    if table is None:
        raise ChangeRefused("missing", None)
    try:
        with engine.begin() as conn:
            if not _claim(conn, change, who):
                raise ChangeRefused("conflict", None)
            row = conn.execute(
                sa.select(table.c.status, table.c.reference).where(table.c.id == change.request_id)
            ).first()
            if row is None:
                raise ChangeRefused("missing", None)
            if change.to_status not in TRANSITIONS.get(row.status, ()):
                raise ChangeRefused("transition", None)
            conn.execute(
                table.update()
                .where(table.c.id == change.request_id)
                .values(status=change.to_status)
            )
            conn.execute(
                changes.insert().values(
                    kind=change.kind,
                    request_id=change.request_id,
                    from_status=row.status,
                    to_status=change.to_status,
                    reason=change.reason if change.to_status == "closed" else None,
                    changed_by=who,
                    changed_at=utcnow(),
                )
            )
    except IntegrityError:  # someone else made the first change at the same moment
        raise ChangeRefused("conflict", request(engine, change.kind, change.request_id)) from None
    except ChangeRefused as refused:
        raise ChangeRefused(
            refused.reason, request(engine, change.kind, change.request_id)
        ) from None
    return {"from": row.status, "to": change.to_status, "reference": row.reference}


def _claim(conn: sa.engine.Connection, change: Change, who: str) -> bool:
    """Take the next version of the request's handling row if the page's version is current.

    On PostgreSQL the second of two simultaneous updates waits for the first, then finds the
    version changed and matches nothing; the first insert wins the primary key.
    """
    values = {
        "handled_by": who,
        "closed_reason": change.reason if change.to_status == "closed" else None,
        "updated_at": utcnow(),
    }
    if change.version <= 0:
        conn.execute(
            handling.insert().values(
                kind=change.kind, request_id=change.request_id, version=1, **values
            )
        )
        return True
    claimed = conn.execute(
        handling.update()
        .where(
            handling.c.kind == change.kind,
            handling.c.request_id == change.request_id,
            handling.c.version == change.version,
        )
        .values(version=handling.c.version + 1, **values)
    )
    return claimed.rowcount == 1
