"""Fixtures for the bookings tests: migrated SQLite and PostgreSQL databases, local SMTP/HTTP.

PostgreSQL tests use a fresh database ``mend_test_<random>`` per session (created through the
``test`` database, dropped at the end), so parallel runs never share tables. They are skipped
when the server is unreachable, unless CI=true.
"""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from bot.db import get_engine
from bot.db.migrate import upgrade
from tests.support.live_bot import free_port
from tests.support.services import fresh_postgres_database

OUR_TABLES = ("notification_outbox", "booking_requests", "handoff_requests")
NOTIFY_ENV = (
    "NOTIFY_EMAIL_TO",
    "NOTIFY_EMAIL_FROM",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "SMTP_SSL",
    "NOTIFY_WEBHOOK_URL",
    "NOTIFY_WEBHOOK_SECRET",
)


@pytest.fixture(autouse=True)
def _no_notifier_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests set the notifier they want; nothing leaks in from the shell."""
    for name in NOTIFY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sqlite_url(tmp_path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'mend.db'}"
    upgrade(url)
    yield url
    get_engine(url).dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this session; dropped afterwards."""
    with fresh_postgres_database("mend_test") as url:
        try:
            upgrade(url)
            yield url
        finally:
            get_engine(url).dispose()
            get_engine.cache_clear()


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """The session's PostgreSQL database with our tables emptied for this test."""
    with get_engine(pg_database).begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {', '.join(OUR_TABLES)} RESTART IDENTITY"))
    return pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs against both databases."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


class SmtpCollector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


class SmtpServer:
    """A local SMTP server on a fixed free port that a test can start late (after a failure)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.collector = SmtpCollector()
        self._controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[email.message.Message]:
        return self.collector.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Not started: call ``start()`` (tests of a down server start it later)."""
    server = SmtpServer()
    yield server
    server.stop()


class WebhookServer:
    """A local HTTP endpoint recording POSTs; ``status`` decides the answer."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/mend"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.close()
