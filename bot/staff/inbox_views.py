"""The requests inbox pages: the landing page, one request, and status changes.

Handlers are plain functions run in a worker thread, wrapped by :func:`bot.staff.routes.guarded`
(sign-in, CSRF). A status change that lost the race to someone else's answers 409 with the
request as it is now and who changed it, so nobody overwrites a colleague's work unknowingly.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.staff import auth, inbox, summary
from bot.staff.views import not_found, render, show_contacts, tz

NOTICE_MAX = 40


def inbox_page(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    engine = auth.engine()
    summary.sync(engine)  # so a brand-new request links to its conversation
    filters = inbox.InboxFilters.from_params(request.query_params)
    page_size = auth.get_config().page_size
    rows, total = inbox.inbox_page(engine, filters, tz(), page_size)
    rows = show_contacts(identity, rows, "inbox")
    return render(
        request,
        identity,
        "inbox.html",
        rows=rows,
        total=total,
        filters=filters,
        pages=max(1, -(-total // page_size)),
        status_filters=list(inbox.STATUS_FILTERS),
        changed=str(request.query_params.get("changed") or "")[:NOTICE_MAX],
        back=_here(request),
    )


def request_page(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    kind, request_id = request.path_params["kind"], request.path_params["request_id"]
    item = inbox.request(auth.engine(), kind, request_id)
    if item is None:
        return not_found(request, identity, "No such request.")
    return _show_request(request, identity, item)


def _show_request(
    request: Request,
    identity: auth.StaffIdentity,
    item: dict[str, Any],
    status: int = 200,
    **context: Any,
) -> Response:
    (shown,) = show_contacts(identity, [item], f"{item['kind']}:{item['id']}")
    return render(
        request,
        identity,
        "request.html",
        status=status,
        item=shown,
        back=f"/staff/requests/{item['kind']}/{item['id']}",
        **context,
    )


def change_status(
    request: Request, identity: auth.StaffIdentity, form: FormData | None
) -> Response:
    kind, request_id = request.path_params["kind"], request.path_params["request_id"]
    engine = auth.engine()
    if form is None or inbox.request(engine, kind, request_id) is None:
        return not_found(request, identity, "No such request.")
    try:
        version = int(str(form.get("version") or "0"))
    except ValueError:
        version = -1
    change = inbox.Change(
        kind, request_id, version, str(form.get("to") or ""), str(form.get("reason") or "") or None
    )
    problem = inbox.check(change) if version >= 0 else "The form is out of date: try again."
    if problem:
        item = inbox.request(engine, kind, request_id)
        if item is None:  # deleted (``bot staff purge``) since the check above
            return not_found(request, identity, "No such request.")
        return _show_request(request, identity, item, status=400, error=problem)
    try:
        done = inbox.change_status(engine, change, identity.email)
    except inbox.ChangeRefused as refused:
        return _refused(request, identity, refused)
    auth.audit(
        "request_status",
        identity,
        f"{kind}:{request_id}",
        {
            "reference": done["reference"],
            "from": done["from"],
            "to": done["to"],
            "reason": change.reason if change.to_status == "closed" else None,
        },
    )
    return RedirectResponse(_safe_back(form.get("back"), done["reference"]), status_code=303)


def _refused(
    request: Request, identity: auth.StaffIdentity, refused: inbox.ChangeRefused
) -> Response:
    """Someone changed the request first (409), or the change no longer applies (409 too)."""
    item = refused.current
    if item is None:
        return not_found(request, identity, "No such request.")
    last = item["history"][-1] if item["history"] else None
    return _show_request(request, identity, item, status=409, conflict=last or True)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _safe_back(value: Any, reference: str) -> str:
    """Back to the staff page the change was made on (ours only), saying what changed."""
    target = str(value or "")
    if not target.startswith("/staff/") or target.startswith("//") or "\\" in target:
        target = "/staff/"
    path, _, query = target.partition("?")
    kept = "&".join(p for p in query.split("&") if p and not p.startswith("changed="))
    joiner = "&" if kept else ""
    return f"{path}?{kept}{joiner}changed={quote(reference)}"
