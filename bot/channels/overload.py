"""Overload answered honestly: a bounded queue in front of Rasa, then a 503 with Retry-After.

Why (issue 12): Rasa runs NLU on its event loop, so 200 messages in flight at once do not finish
sooner than 8 would; they all slow down together, and every action call among them waits seconds
for its turn (long enough for the action server to drop the connection, see
``bot/action_calls.py``). So at most ``MAX_CONCURRENT_MESSAGES`` (default 8) messages are in Rasa
at once; the next ``MAX_QUEUED_MESSAGES`` (default 400) wait their turn in arrival order; beyond
that a channel answers 503 with ``Retry-After`` instead of an empty 200.

A message with a red flag never waits and is never refused: the safety net's detector
(``bot/safety/``) checks a message before it would wait, and one with a red flag goes straight in.
If that check itself fails, the message is treated as urgent (safety first).

Channels use :func:`message_slot` around ``on_new_message``; the limiter is one per process.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sanic import response
from sanic.response import HTTPResponse

from bot.settings import setting

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENT = 8
DEFAULT_QUEUED = 400
RETRY_AFTER_SECONDS = 5


class Overloaded(Exception):
    """The queue is full: the caller should answer 503 with ``Retry-After: retry_after``."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"overloaded, retry after {retry_after} s")
        self.retry_after = retry_after


def has_red_flag(text: str | None) -> bool:
    """True if the safety net sees a red flag of the writer's own (or cannot tell)."""
    if not text:
        return False
    try:
        from bot.safety.detector import assess

        return bool(assess(text).present)
    except Exception:  # unsure means urgent: never queue a possible emergency
        logger.exception("Red-flag check before queueing failed; message let through")
        return True


class MessageLimiter:
    """At most ``concurrent`` messages inside Rasa; ``queued`` more wait; urgent ones skip."""

    def __init__(
        self,
        concurrent: int,
        queued: int,
        is_urgent: Callable[[str | None], bool] = has_red_flag,
    ) -> None:
        self.concurrent = concurrent
        self.queued = queued
        self.is_urgent = is_urgent
        self.active = 0
        self.refused = 0
        self._waiting: deque[asyncio.Future] = deque()

    @asynccontextmanager
    async def slot(self, text: str | None) -> AsyncIterator[None]:
        """Hold one place inside Rasa while the body runs; raises :class:`Overloaded`."""
        await self._acquire(text)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, text: str | None) -> None:
        if self.active < self.concurrent and not self._waiting:
            self.active += 1
            return
        if self.is_urgent(text):
            self.active += 1  # a red flag goes in at once, above the limit
            return
        if len(self._waiting) >= self.queued:
            self.refused += 1
            logger.warning("Overloaded: message refused with 503 (%d refused so far)", self.refused)
            raise Overloaded(RETRY_AFTER_SECONDS)
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn  # _release hands its place over (active stays counted)
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # the place was handed over just as the client gave up
            elif turn in self._waiting:
                self._waiting.remove(turn)
            raise

    def _release(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # hand this place to the next in line
                return
        self.active -= 1


_limiter: MessageLimiter | None = None


def limiter() -> MessageLimiter:
    """The process's limiter, sized by ``MAX_CONCURRENT_MESSAGES`` and ``MAX_QUEUED_MESSAGES``."""
    global _limiter
    if _limiter is None:
        _limiter = MessageLimiter(
            max(1, setting.whole_number("MAX_CONCURRENT_MESSAGES", DEFAULT_CONCURRENT)),
            max(1, setting.whole_number("MAX_QUEUED_MESSAGES", DEFAULT_QUEUED)),
        )
    return _limiter


def message_slot(text: str | None):
    """``async with message_slot(text):`` around a channel's ``on_new_message``."""
    return limiter().slot(text)


def overloaded_response(busy: Overloaded) -> HTTPResponse:
    """The honest answer to a message that could not be queued: 503, and when to try again."""
    return response.json(
        {"error": "overloaded", "reason": "too many messages right now; please try again shortly"},
        status=503,
        headers={"Retry-After": str(busy.retry_after)},
    )
