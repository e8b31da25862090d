"""Actions that only read the knowledge base run inside the Rasa server, not over HTTP.

Why (issue 12): the action server hop was the largest cost of a turn (``docs/performance.md``: a
new connection per call, the whole tracker as JSON both ways, a second process that can be slow
or down), and for most turns it adds nothing. A health answer, the clinic's details, the
clarifying question, the disclaimer at the start of a conversation: each is a fixed text built by
``bot.replies`` from ``data/knowledge/``, so the Rasa server can build it itself, and a patient's
answer never depends on a second process.

The action server stays for what writes to the database (booking and handoff requests) and for
the forms: their work (a database write, a delivery) must not block Rasa's event loop.

How: the very same Rasa SDK action classes (``actions/``) run through the SDK's own
``ActionExecutor`` in this process, given the request Rasa would have sent; Rasa's own
``RemoteAction`` code then validates and says the answer exactly as after an HTTP call.
:func:`bot.action_calls.install` routes the actions listed here; a failure is told to the patient
like a failed HTTP call.
"""

from __future__ import annotations

from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import EventVerbosity
from rasa_sdk.executor import ActionExecutor

ACTIONS_PACKAGE = "actions"

# Read-only: they build their messages from data/knowledge and return slots, nothing else.
IN_PROCESS_ACTIONS = frozenset(
    {
        "action_session_start",
        "action_answer_topic",
        "action_cite_sources",
        "action_clinic_info",
        "action_clarify",
        "action_manage_appointment",
        "action_reset_after_urgent",
    }
)

_executor: ActionExecutor | None = None


def runs_in_process(action_name: str) -> bool:
    return action_name in IN_PROCESS_ACTIONS


def executor() -> ActionExecutor:
    """The SDK's executor with the project's actions, imported once per process."""
    global _executor
    if _executor is None:
        loaded = ActionExecutor()
        loaded.register_package(ACTIONS_PACKAGE)
        missing = IN_PROCESS_ACTIONS - set(loaded.actions)
        if missing:
            raise RuntimeError(f"In-process actions not found in {ACTIONS_PACKAGE}/: {missing}")
        _executor = loaded
    return _executor


async def run_in_process(
    action: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Event]:
    """What ``RemoteAction.run`` does, with the SDK called directly instead of over HTTP.

    The domain is not sent: none of these actions reads it (the action server gets it only
    because Rasa sends it to every action by default).
    """
    call = {
        "next_action": action.name(),
        "sender_id": tracker.sender_id,
        "tracker": tracker.current_state(EventVerbosity.ALL),
        "domain": {},
        "version": rasa.__version__,
    }
    result = await executor().run(call) or {}
    action._validate_action_result(result)
    said = await action._utter_responses(result.get("responses", []), output_channel, nlg, tracker)
    return [*said, *events.deserialise_events(result.get("events", []))]
