"""The staff pages. Each handler is a plain function run in a worker thread (the database calls
block); :mod:`bot.staff.routes` wraps every one of them in the sign-in and CSRF checks."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import sqlalchemy as sa
import yaml
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.db.types import utcnow
from bot.privacy import mask_contact, mask_contacts_in_text, mask_sender
from bot.settings import PROJECT_ROOT
from bot.staff import auth, exports, inbox, labels, queries, summary
from bot.staff.chart import per_day_svg
from bot.staff.models import ConversationReview, IntentCorrection, events
from bot.staff.transcript import transcript

TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,  # a patient's "<script>" must show as text
    )
)
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAX_NOTES = 5000
MAX_TAGS = 255


def tz() -> ZoneInfo:
    try:
        return ZoneInfo(auth.get_config().timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def fmt_time(value: Any, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time in the clinic's time zone with ``pattern``; empty when there is none."""
    moment = labels.as_datetime(value)
    return "" if moment is None else moment.astimezone(tz()).strftime(pattern)


def short_time(value: Any) -> str:
    """One short line in the clinic's time zone, e.g. "Nov 25, 14:05"."""
    return labels.when(value, tz())


TEMPLATES.env.filters["time"] = fmt_time
TEMPLATES.env.filters["when"] = short_time
TEMPLATES.env.filters["ago"] = labels.ago
TEMPLATES.env.filters["mask"] = mask_contacts_in_text
TEMPLATES.env.filters["mask_sender"] = mask_sender
TEMPLATES.env.filters["topics"] = labels.topic_labels
TEMPLATES.env.filters["topic"] = labels.topic_label
TEMPLATES.env.filters["clinic"] = labels.clinic_name
TEMPLATES.env.filters["channel_name"] = labels.channel_name
TEMPLATES.env.filters["phone"] = labels.phone_display
TEMPLATES.env.globals["conversation_name"] = labels.conversation_name
TEMPLATES.env.globals["status_labels"] = inbox.STATUS_LABELS
TEMPLATES.env.globals["close_reasons"] = inbox.CLOSE_REASONS
TEMPLATES.env.globals["transitions"] = inbox.TRANSITIONS


@lru_cache(maxsize=1)
def known_intents() -> tuple[str, ...]:
    """Intents from domain.yml: corrections may only name an intent the bot can be trained on."""
    try:
        domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return ()
    names = [
        next(iter(item)) if isinstance(item, dict) else str(item)
        for item in domain.get("intents") or []
    ]
    return tuple(sorted(name for name in names if INTENT_NAME.match(name)))


def render(
    request: Request,
    identity: auth.StaffIdentity | None,
    name: str,
    status: int = 200,
    **context: Any,
) -> Response:
    context.update(
        identity=identity,
        csrf_token=identity.csrf_token if identity else context.get("csrf_token", ""),
        flag_labels=queries.FLAG_LABELS,
        channels=queries.CHANNELS,
        new_requests=inbox.new_count(auth.engine()) if identity else 0,
        path=request.url.path,
    )
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def not_found(
    request: Request, identity: auth.StaffIdentity, message: str = "No such conversation."
) -> Response:
    return render(request, identity, "error.html", status=404, message=message)


# --- list ----------------------------------------------------------------------------------


def conversation_list(
    request: Request, identity: auth.StaffIdentity, form: FormData | None
) -> Response:
    engine = auth.engine()
    summary.sync(engine)
    filters = queries.ListFilters.from_params(request.query_params)
    page_size = auth.get_config().page_size
    rows, total = queries.list_page(engine, filters, tz(), page_size)
    pages = max(1, -(-total // page_size))
    return render(
        request,
        identity,
        "list.html",
        rows=rows,
        total=total,
        filters=filters,
        pages=pages,
        page_size=page_size,
        date_note=queries.DATE_NOTE,
    )


def export_csv(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    engine = auth.engine()
    summary.sync(engine)
    filters = queries.ListFilters.from_params(request.query_params)
    rows = list(queries.all_rows(engine, filters, tz()))
    auth.audit(
        "export_csv", identity, "conversations", {"filters": filters.describe(), "rows": len(rows)}
    )
    stamp = dt.datetime.now(tz()).strftime("%Y%m%d-%H%M")
    return Response(
        exports.conversations_csv(rows, tz()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="conversations-{stamp}.csv"'},
    )


def export_nlu(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    since_day = queries._parse_date(request.query_params.get("since"))
    since = queries.day_start(since_day, tz()) if since_day else None
    body = exports.nlu_yaml(auth.engine(), since)
    auth.audit(
        "export_nlu",
        identity,
        "intent_corrections",
        {"since": since_day.isoformat() if since_day else None},
    )
    return Response(
        body,
        media_type="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="nlu_corrections.yml"'},
    )


# --- one conversation ----------------------------------------------------------------------


def show_contacts(
    identity: auth.StaffIdentity, requests: list[dict[str, Any]], target: str
) -> list[dict[str, Any]]:
    """Requests as this person may see them: contacts in full for the roles that call patients
    (each such view recorded in the audit log), masked for everyone else."""
    shown = []
    for item in requests:
        item = dict(item)
        if not identity.can_call:
            item["contact_value"] = mask_contact(
                item.get("contact_kind"), item.get("contact_value")
            )
            for key in ("reason", "preferred_times"):
                if item.get(key):
                    item[key] = mask_contacts_in_text(item[key])
        shown.append(item)
    with_contacts = [f"{i['kind']}:{i['id']}" for i in requests if i.get("contact_value")]
    if identity.can_call and with_contacts:
        auth.audit("view_contacts", identity, target, {"requests": with_contacts[:100]})
    return shown


def _mask_turns(turns: list[dict[str, Any]]) -> None:
    for turn in turns:
        turn["text"] = mask_contacts_in_text(turn["text"]) if turn["text"] else turn["text"]
        for reply in turn["replies"]:
            reply["text"] = mask_contacts_in_text(reply["text"])
            reply["buttons"] = [mask_contacts_in_text(title) for title in reply["buttons"]]


def _conversation_page(
    request: Request,
    identity: auth.StaffIdentity,
    conversation_id: int,
    reveal: bool,
    error: str | None = None,
    status: int = 200,
) -> Response:
    engine = auth.engine()
    row = queries.summary_by_id(engine, conversation_id)
    if row is None:
        return not_found(request, identity)
    turns = transcript(engine, row["sender_id"])
    requests = show_contacts(
        identity,
        inbox.for_conversation(engine, row["sender_id"]),
        f"conversation:{conversation_id}",
    )
    queries.attach_requests(turns, requests)
    if not reveal:
        _mask_turns(turns)
    name = labels.conversation_name(row["id"], row["channel"])
    return render(
        request,
        identity,
        "conversation.html",
        status=status,
        conv=row,
        title=name,
        turns=turns,
        requests=requests,
        reveal=reveal,
        sender=row["sender_id"] if reveal else mask_sender(row["sender_id"]),
        review=queries.review_for(engine, row["sender_id"]),
        intents=known_intents(),
        saved=request.query_params.get("saved"),
        error=error,
        back=f"/staff/conversations/{conversation_id}",
    )


def conversation(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    conversation_id = request.path_params["conversation_id"]
    auth.audit("view_conversation", identity, f"conversation:{conversation_id}")
    return _conversation_page(request, identity, conversation_id, reveal=False)


def reveal(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    """An admin sees the unmasked phone numbers and emails of one conversation; always audited."""
    conversation_id = request.path_params["conversation_id"]
    auth.audit("reveal_contact", identity, f"conversation:{conversation_id}")
    response = _conversation_page(request, identity, conversation_id, reveal=True)
    return response


def _back(conversation_id: int, note: str, anchor: str = "") -> RedirectResponse:
    """Back to the conversation, at the part the change was made in."""
    return RedirectResponse(
        f"/staff/conversations/{conversation_id}?saved={note}{anchor}", status_code=303
    )


def save_review(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    conversation_id = request.path_params["conversation_id"]
    engine = auth.engine()
    row = queries.summary_by_id(engine, conversation_id)
    if row is None or form is None:
        return not_found(request, identity)
    reviewed = form.get("reviewed") in {"1", "on", "yes", "true"}
    tags = ", ".join(
        dict.fromkeys(
            t.strip().lower() for t in str(form.get("tags") or "").split(",") if t.strip()
        )
    )[:MAX_TAGS]
    values = {
        "reviewed": reviewed,
        "reviewed_by": identity.email if reviewed else None,
        "reviewed_at": utcnow() if reviewed else None,
        "notes": str(form.get("notes") or "")[:MAX_NOTES],
        "tags": tags,
        "updated_at": utcnow(),
    }
    table = ConversationReview.__table__
    with engine.begin() as conn:
        updated = conn.execute(
            table.update().where(table.c.sender_id == row["sender_id"]).values(**values)
        )
        if not updated.rowcount:
            conn.execute(table.insert().values(sender_id=row["sender_id"], **values))
    auth.audit("review", identity, f"conversation:{conversation_id}", {"reviewed": reviewed})
    return _back(conversation_id, "review")


def correct_intent(
    request: Request, identity: auth.StaffIdentity, form: FormData | None
) -> Response:
    conversation_id = request.path_params["conversation_id"]
    engine = auth.engine()
    row = queries.summary_by_id(engine, conversation_id)
    if row is None or form is None:
        return not_found(request, identity)
    intent = str(form.get("intent") or "").strip()
    allowed = known_intents()
    if not INTENT_NAME.match(intent) or (allowed and intent not in allowed):
        # Stay on the conversation (its place in the transcript), with the problem said there.
        return _conversation_page(
            request,
            identity,
            conversation_id,
            reveal=False,
            error=f"\u201c{intent[:60]}\u201d is not one of the bot's intents: "
            "choose one from the list.",
            status=400,
        )
    try:
        event_id = int(str(form.get("event_id") or ""))
    except ValueError:
        return not_found(request, identity)
    if not queries.valid_id(event_id):
        return not_found(request, identity)
    with engine.begin() as conn:
        event = conn.execute(
            sa.select(events).where(
                events.c.id == event_id,
                events.c.sender_id == row["sender_id"],
                events.c.type_name == "user",
            )
        ).first()
        if event is None:
            return not_found(request, identity)
        data = json.loads(event.data or "{}")
        original, _ = summary.user_intent(data)
        table = IntentCorrection.__table__
        values = {
            "sender_id": row["sender_id"],
            "text": data.get("text") or "",
            "original_intent": original or event.intent_name,
            "corrected_intent": intent,
            "corrected_by": identity.email,
            "corrected_at": utcnow(),
        }
        updated = conn.execute(table.update().where(table.c.event_id == event_id).values(**values))
        if not updated.rowcount:
            conn.execute(table.insert().values(event_id=event_id, **values))
    auth.audit(
        "correct_intent",
        identity,
        f"conversation:{conversation_id}",
        {"event_id": event_id, "intent": intent},
    )
    return _back(conversation_id, "intent", f"#turn-{event_id}")


# --- dashboard and audit -------------------------------------------------------------------


def dashboard(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    engine = auth.engine()
    summary.sync(engine)
    start, end = dashboard_period(request.query_params)
    data = queries.dashboard(engine, start, end, tz())
    return render(
        request,
        identity,
        "dashboard.html",
        data=data,
        start=start,
        end=end,
        chart=per_day_svg(data["days"]),
        ignored=queries.ignored_dates(request.query_params),
        date_note=queries.DATE_NOTE,
    )


def dashboard_period(params: Any) -> tuple[dt.date, dt.date]:
    """The days the dashboard covers: the last 30 days unless valid dates ask otherwise.

    Dates outside the supported years are ignored by the parser, so the day arithmetic here
    cannot overflow; the ``except`` is a last guard that turns any surprise into the default.
    """
    today = dt.datetime.now(tz()).date()
    try:
        end = queries._parse_date(params.get("to")) or today
        start = queries._parse_date(params.get("from")) or end - dt.timedelta(days=29)
        if start > end or (end - start).days > 366:
            start = end - dt.timedelta(days=29)
    except OverflowError:
        start, end = today - dt.timedelta(days=29), today
    return start, end


def audit_page(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    table = auth.audit_log
    with auth.engine().connect() as conn:
        rows = (
            conn.execute(sa.select(table).order_by(table.c.id.desc()).limit(500)).mappings().all()
        )
    return render(request, identity, "audit.html", rows=rows)


def login_page(
    request: Request, csrf_token: str, error: str | None = None, status: int = 200
) -> Response:
    return render(
        request,
        None,
        "login.html",
        status=status,
        csrf_token=csrf_token,
        error=error,
        next=request.query_params.get("next", ""),
    )
