"""The chat widget's files and a demo clinic page that embeds it (``/`` on the web app).

The widget is plain JavaScript in ``bot/web/static/`` on socket.io-client, which ``npm ci``
installs into ``node_modules/``; the web app serves all of it itself, so the page works with no
internet connection. The Rasa server's public URL (``RASA_PUBLIC_URL``) is written into the
page, which is also the snippet a clinic pastes into its own site (see ``bot/web/EMBED.md``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.knowledge import get_knowledge
from bot.settings import PROJECT_ROOT, get_settings, setting

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATE_DIR = WEB_DIR / "templates"
SOCKET_IO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

_templates = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


DEFAULT_TIMEZONE = "America/Denver"


def clinic_timezone() -> str:
    """The clinic's time zone for the widget's message times.

    ``CLINIC_TIMEZONE``, else the staff app's ``STAFF_TIMEZONE`` (the same clinic), else
    America/Denver (Boulder); a name that is not a known IANA zone falls back to the default.
    """
    value = setting.text("CLINIC_TIMEZONE") or setting.text("STAFF_TIMEZONE")
    if not value:
        return DEFAULT_TIMEZONE
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TIMEZONE
    return value


def rasa_origins(rasa_url: str) -> tuple[str, str]:
    """The HTTP and WebSocket origins of the Rasa server, for the page's CSP ``connect-src``."""
    parts = urlsplit(rasa_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc}", f"{ws_scheme}://{parts.netloc}"


def content_security_policy(rasa_url: str) -> str:
    """Scripts and styles only from this app; connections only to itself and the Rasa server.

    A second line of defence behind the widget's text-only rendering: even if some markup got
    into the page, it could not run inline script or load script from elsewhere.
    """
    http_origin, ws_origin = rasa_origins(rasa_url)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {http_origin} {ws_origin}; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )


async def demo_page(request: Request) -> HTMLResponse:
    settings = get_settings()
    clinic = get_knowledge().clinic
    html = _templates.get_template("index.html").render(
        clinic=clinic,
        rasa_url=settings.rasa_public_url.rstrip("/"),
        clinic_timezone=clinic_timezone(),
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": content_security_policy(settings.rasa_public_url),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


async def socket_io_client(request: Request) -> Response:
    """socket.io-client from ``node_modules`` (installed by ``npm ci``), served locally."""
    if not SOCKET_IO_CLIENT.is_file():
        return PlainTextResponse(
            "socket.io-client is not installed: run `npm ci --no-audit --no-fund` "
            "(make does this).",
            status_code=503,
        )
    return FileResponse(SOCKET_IO_CLIENT, media_type="text/javascript")


def routes() -> list[BaseRoute]:
    return [
        Route("/", demo_page, methods=["GET"]),
        Route("/widget/socket.io.min.js", socket_io_client, methods=["GET"]),
        Mount("/widget", app=StaticFiles(directory=str(STATIC_DIR)), name="widget"),
    ]
