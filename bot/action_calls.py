"""Action server calls that survive a dropped connection, and a patient who is told when one fails.

Why (issue 12): under a burst of 200 messages, Rasa's event loop is busy with NLU for seconds at a
time. Rasa opens a new connection for every action call (``EndpointConfig.request``), and the
action server's Sanic closes a connection on which no request has arrived within its
``KEEP_ALIVE_TIMEOUT`` (5 s by default: a fresh connection starts in Sanic's idle stage). When
Rasa's task finally writes the request, aiohttp raises "Cannot write to closing transport", Rasa
logs "Bot will continue, but the actions events are lost", and the patient hears nothing.

Actions that only read the knowledge base (a health answer, the disclaimer) do not go over HTTP at
all: they run in this process (:mod:`bot.in_process_actions`), still with the fallback below.

Three layers, each small:

- ``bot serve`` gives the action server a keep-alive far longer than any such stall
  (``SANIC_KEEP_ALIVE_TIMEOUT``, ``bot/cli.py``) and both servers a larger listen backlog.
- :func:`install` wraps ``RemoteAction.run`` (the class itself, so every caller is covered: rules,
  forms' ``validate_*`` calls, custom slot mappings). A call that never reached the action server
  (connection refused or closed before the request was written: ``aiohttp.ClientOSError``) is
  retried; a call that may have run (a timeout, a reset after sending, an error status) is not.
- When a call still fails, the patient gets ``utter_action_failed`` (a domain response with the
  clinic phone) instead of silence, and the failure is counted in the log (no message text).
  A failed ``action_session_start`` falls back to Rasa's own session start plus the disclaimer.

:func:`install` runs in the Rasa server process (``bot/launch.py``), before Rasa loads.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from rasa.core.actions.action import (
    ActionExecutionRejection,
    ActionSessionStart,
    RemoteAction,
    create_bot_utterance,
)
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException

from bot import in_process_actions
from bot.settings import setting

logger = logging.getLogger(__name__)

FAILED_RESPONSE = "utter_action_failed"
DISCLAIMER_RESPONSE = "utter_disclaimer"
DEFAULT_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.2

_failures = 0


def failures() -> int:
    """Action calls that failed for good since this process started."""
    return _failures


def attempts() -> int:
    """``ACTION_CALL_ATTEMPTS`` (default 3): tries per action call that never reached the server.

    At least 1 (0 would mean never calling the action server at all).
    """
    return max(1, setting.whole_number("ACTION_CALL_ATTEMPTS", DEFAULT_ATTEMPTS))


def never_reached_server(error: BaseException) -> bool:
    """True when the request was not delivered, so running it again cannot run the action twice.

    Rasa re-raises aiohttp's errors as a RasaException inside the ``except`` block, so the original
    is the exception's context. ``ClientOSError`` covers refused connections
    (``ClientConnectorError``) and writes to a connection the server had already closed;
    ``ServerDisconnectedError`` and timeouts are not in it (the action may have run).
    """
    cause = error.__cause__ or error.__context__
    return isinstance(cause, aiohttp.ClientOSError)


async def _run_with_retries(original: Any, action: RemoteAction, *args: Any) -> list[Event]:
    tries = attempts()
    for attempt in range(1, tries + 1):
        try:
            return await original(action, *args)
        except ActionExecutionRejection:
            raise  # a form's "not me" answer: Rasa handles it
        except RasaException as error:
            if attempt < tries and never_reached_server(error):
                logger.warning(
                    "Action %s: connection dropped before the call, retrying (%d/%d)",
                    action.name(),
                    attempt,
                    tries - 1,
                )
                await asyncio.sleep(RETRY_PAUSE_SECONDS * attempt)
                continue
            raise
    raise AssertionError("unreachable")  # the loop returns or raises


async def _utter(nlg: Any, response: str, tracker: Any, channel: Any, **values: Any) -> list[Event]:
    message = await nlg.generate(response, tracker, channel.name(), **values)
    if not message:
        logger.error("Response %s is missing from the domain", response)
        return []
    return [create_bot_utterance(dict(message))]


async def fallback_events(action: RemoteAction, channel: Any, nlg: Any, tracker: Any, domain: Any):
    """What the patient gets when ``action`` failed for good: words, never silence."""
    from bot.knowledge import get_knowledge

    clinic = get_knowledge().clinic
    if action.name() == ACTION_SESSION_START_NAME:
        said = await _utter(
            nlg, DISCLAIMER_RESPONSE, tracker, channel, emergency_number=clinic.emergency_number
        )
        return said + await ActionSessionStart().run(channel, nlg, tracker, domain)
    return await _utter(nlg, FAILED_RESPONSE, tracker, channel, clinic_phone=clinic.phone)


def install() -> None:
    """Wrap ``RemoteAction.run`` in this process (idempotent); read-only actions run in it."""
    attempts()  # a bad ACTION_CALL_ATTEMPTS stops the server now, not every action call later
    in_process_actions.executor()  # import the actions now, not on a patient's first message
    original = RemoteAction.run
    if getattr(original, "_mend_wrapped", False):
        return

    async def run(
        self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Event]:
        global _failures
        try:
            if in_process_actions.runs_in_process(self.name()):
                local = RemoteAction(self.name(), in_process_actions.IN_PROCESS)
                return await original(local, output_channel, nlg, tracker, domain)
            return await _run_with_retries(original, self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - the patient must hear something
            _failures += 1
            logger.error(
                "Action %s failed for good (%s); told the patient. Failed action calls so far: %d",
                self.name(),
                type(error.__context__ or error).__name__,
                _failures,
            )
            return await fallback_events(self, output_channel, nlg, tracker, domain)

    run._mend_wrapped = True  # type: ignore[attr-defined]
    RemoteAction.run = run
