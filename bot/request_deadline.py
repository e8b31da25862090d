"""A total deadline for receiving each HTTP request on the Sanic servers (Rasa and actions).

Sanic 21.12 bounds a request only by the time since the *last* byte: ``HttpProtocol.data_received``
resets ``_time`` on every byte, and ``check_timeouts`` compares against it (``REQUEST_TIMEOUT``
while the headers arrive, ``RESPONSE_TIMEOUT`` while the handler reads the body). A client that
trickles one byte every few seconds therefore holds a connection open for as long as it likes
(issue 15). No ``SANIC_*`` setting changes that, so this module gives the servers a protocol with
one more rule: from the first byte of a request until its body has arrived, at most
``REQUEST_DEADLINE_SECONDS`` may pass, however the bytes are spread. Then the client gets
Sanic's own 408 and the connection is closed. The handler's own time (Rasa thinking, socket.io
long-polling, websockets) is not counted; Sanic's response timeout still covers that.

:func:`install` swaps the protocol classes ``Sanic.run`` picks by default; ``bot.launch`` calls it
in the server processes before the server starts.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import TYPE_CHECKING

from sanic.exceptions import RequestTimeout
from sanic.http import Stage
from sanic.server.protocols.http_protocol import HttpProtocol
from sanic.server.protocols.websocket_protocol import WebSocketProtocol

from bot.settings import SettingError, setting

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE_SECONDS = 20.0


def deadline_seconds() -> float:
    """``REQUEST_DEADLINE_SECONDS`` (default 20): headers plus body must arrive within it."""
    value = setting.number("REQUEST_DEADLINE_SECONDS", DEFAULT_DEADLINE_SECONDS)
    if not value > 0:  # also refuses 'nan'
        raise SettingError(f"REQUEST_DEADLINE_SECONDS must be greater than 0, got {value:g}")
    return value


if TYPE_CHECKING:
    # The mixin only works on top of HttpProtocol (it uses ``loop``, ``_http``, ``_task`` and
    # calls the protocol's own methods through ``super()``); telling the type checker so checks
    # those uses against Sanic's types. At run time the mixin stays a plain class, as before.
    _ProtocolBase = HttpProtocol
else:
    _ProtocolBase = object


class _DeadlineMixin(_ProtocolBase):
    """Starts a one-shot timer at a request's first byte; cuts the request if still arriving."""

    deadline: float = DEFAULT_DEADLINE_SECONDS
    _request_started: float | None = None

    def _receiving(self) -> bool:
        """True while the request's headers or body are still arriving."""
        http = getattr(self, "_http", None)  # slots are unset until the connection starts
        if http is None or getattr(self, "_task", None) is None:
            return False
        if http.stage is Stage.REQUEST:
            return True
        return (
            http.stage is Stage.HANDLER and bool(http.request_body) and not http.upgrade_websocket
        )

    def data_received(self, data: bytes) -> None:
        http = getattr(self, "_http", None)
        if http is None or http.stage is Stage.IDLE:
            self._start_deadline()
        super().data_received(data)

    def check_timeouts(self) -> None:
        # Sanic's periodic check; also bounds a pipelined request that began while busy (its
        # first byte did not arrive in IDLE, so it shares the previous request's start).
        started = self._request_started
        if (
            started is not None
            and monotonic() - started > self.deadline
            and self._deadline_passed(started)
        ):
            return
        super().check_timeouts()

    def _start_deadline(self) -> None:
        started = monotonic()
        self._request_started = started
        self.loop.call_later(self.deadline, self._deadline_passed, started)

    def _deadline_passed(self, started: float) -> bool:
        """Cut the request that started at ``started`` if it is still arriving; True if cut."""
        if self._request_started != started or not self._receiving():
            return False  # that request arrived in time (or a newer one started)
        task = self._task
        if task is None:  # not reached: _receiving() is False without a task
            return False
        logger.info("Request not received within %.0f s; connection closed", self.deadline)
        self._http.exception = RequestTimeout("Request Timeout")
        task.cancel()
        return True


class DeadlineHttpProtocol(_DeadlineMixin, HttpProtocol):
    """Sanic's HTTP protocol with a total receive deadline per request."""


class DeadlineWebSocketProtocol(_DeadlineMixin, WebSocketProtocol):
    """Sanic's websocket-capable protocol (used when websockets are on) with the same deadline."""


def install(seconds: float | None = None) -> float:
    """Make ``Sanic.run`` use the deadline protocols in this process; returns the deadline."""
    import sanic.app

    deadline = deadline_seconds() if seconds is None else seconds
    DeadlineHttpProtocol.deadline = deadline
    DeadlineWebSocketProtocol.deadline = deadline
    # Rebinding the module's class names is the point (Sanic.run reads them); mypy refuses any
    # assignment to a name bound to a class ("Cannot assign to a type"), hence the ignores.
    sanic.app.HttpProtocol = DeadlineHttpProtocol  # type: ignore[misc]
    sanic.app.WebSocketProtocol = DeadlineWebSocketProtocol  # type: ignore[misc]
    return deadline
