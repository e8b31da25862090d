"""Routes of the staff app under ``/staff/``. Every route goes through :func:`guarded`, which
signs the request in (or refuses it), checks the CSRF token on every POST, and sets the headers
that keep pages out of caches and frames. Only the sign-in form itself is public."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.staff import auth, inbox_views, views

Handler = Callable[[Request, auth.StaffIdentity, FormData | None], Response]
PREFIX = "/staff"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
MAX_FORM_BYTES = 64 * 1024


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or auth.get_config().cookie_secure


def _with_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _same_origin(request: Request) -> bool:
    """Browsers send Origin on POST; a different host means another site submitted the form."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def _read_form(request: Request) -> FormData | None:
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return None
    return await request.form(max_files=0, max_fields=50)


def _refuse(kind: str, request: Request) -> Response:
    if kind == "page" and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{PREFIX}/login?next={quote(target)}", status_code=303)
    return PlainTextResponse("Sign in required.", status_code=401)


def guarded(
    handler: Handler, kind: str = "page", role: str | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint for ``handler``: signed-in staff only (and ``role`` if given), CSRF on POST."""

    async def endpoint(request: Request) -> Response:
        identity = await run_in_threadpool(
            auth.load_session, request.cookies.get(auth.SESSION_COOKIE)
        )
        if identity is None:
            return _with_headers(_refuse(kind, request))
        if role and identity.role != role:
            return _with_headers(PlainTextResponse("Not allowed for your role.", status_code=403))
        form = None
        if request.method == "POST":
            form = await _read_form(request)
            token = form.get("csrf_token") if form is not None else None
            if not _same_origin(request) or not auth.tokens_match(
                identity.csrf_token, str(token or "")
            ):
                return _with_headers(
                    PlainTextResponse("Form expired or forged (CSRF check).", status_code=403)
                )
        return _with_headers(await run_in_threadpool(handler, request, identity, form))

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


# --- sign-in and sign-out ------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    """Only redirect to our own pages after sign-in (no open redirect)."""
    if (
        value
        and value.startswith(f"{PREFIX}/")
        and not value.startswith("//")
        and "\\" not in value
    ):
        return value
    return f"{PREFIX}/"


def _login_form(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = auth.unsign(request.cookies.get(auth.LOGIN_CSRF_COOKIE)) or secrets.token_urlsafe(32)
    response = views.login_page(request, token, error, status)
    response.set_cookie(
        auth.LOGIN_CSRF_COOKIE,
        auth.sign(token),
        max_age=3600,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return _with_headers(response)


def _sign_in_refused() -> str:
    """One message for an unknown email, a wrong password and a locked account alike, so the
    sign-in page never tells a stranger which emails have accounts (the audit log does tell)."""
    config = auth.get_config()
    return (
        f"Wrong email or password. After {config.max_failed_logins} failed attempts an account "
        f"is locked for {config.lockout_minutes} minutes."
    )


async def login(request: Request) -> Response:
    if request.method == "GET":
        if await run_in_threadpool(auth.load_session, request.cookies.get(auth.SESSION_COOKIE)):
            return _with_headers(
                RedirectResponse(_safe_next(request.query_params.get("next")), 303)
            )
        return await run_in_threadpool(_login_form, request)
    form = await _read_form(request)
    expected = auth.unsign(request.cookies.get(auth.LOGIN_CSRF_COOKIE))
    if (
        form is None
        or not _same_origin(request)
        or not auth.tokens_match(expected, str(form.get("csrf_token") or ""))
    ):
        return _with_headers(
            PlainTextResponse(
                "Form expired or forged (CSRF check). Reload the sign-in page.", status_code=403
            )
        )
    email = str(form.get("email") or "")[:255]
    user, outcome = await run_in_threadpool(
        auth.authenticate, email, str(form.get("password") or "")[:1024]
    )
    if user is None:
        await run_in_threadpool(
            auth.audit, f"login_{outcome}", None, None, None, email.strip().lower()[:255]
        )
        return await run_in_threadpool(_login_form, request, _sign_in_refused(), 401)
    cookie = await run_in_threadpool(auth.start_session, user["id"])
    await run_in_threadpool(auth.audit, "login", None, None, None, user["email"])
    response = RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        cookie,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path=PREFIX)
    return _with_headers(response)


def logout(request: Request, identity: auth.StaffIdentity, form: FormData | None) -> Response:
    auth.end_session(identity)
    auth.audit("logout", identity)
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path=PREFIX)
    return response


def routes() -> list[BaseRoute]:
    """The staff app's routes. Add new pages here, always through :func:`guarded`."""
    return [
        Route(f"{PREFIX}/login", login, methods=["GET", "POST"], name="staff_login"),
        Route(f"{PREFIX}/logout", guarded(logout), methods=["POST"]),
        Route(f"{PREFIX}/", guarded(inbox_views.inbox_page), name="staff_inbox"),
        Route(
            f"{PREFIX}/requests/{{kind:str}}/{{request_id:int}}", guarded(inbox_views.request_page)
        ),
        Route(
            f"{PREFIX}/requests/{{kind:str}}/{{request_id:int}}/status",
            guarded(inbox_views.change_status),
            methods=["POST"],
        ),
        Route(f"{PREFIX}/conversations", guarded(views.conversation_list), name="staff_list"),
        Route(f"{PREFIX}/conversations/{{conversation_id:int}}", guarded(views.conversation)),
        Route(
            f"{PREFIX}/conversations/{{conversation_id:int}}/review",
            guarded(views.save_review),
            methods=["POST"],
        ),
        Route(
            f"{PREFIX}/conversations/{{conversation_id:int}}/intent",
            guarded(views.correct_intent),
            methods=["POST"],
        ),
        Route(
            f"{PREFIX}/conversations/{{conversation_id:int}}/reveal",
            guarded(views.reveal, role="admin"),
            methods=["POST"],
        ),
        Route(f"{PREFIX}/dashboard", guarded(views.dashboard)),
        Route(f"{PREFIX}/audit", guarded(views.audit_page, role="admin")),
        Route(f"{PREFIX}/export/conversations.csv", guarded(views.export_csv, kind="export")),
        Route(f"{PREFIX}/export/nlu.yml", guarded(views.export_nlu, kind="export")),
    ]
