"""Actions that only read the knowledge base run inside the Rasa server, not over HTTP.

Why (issue 12): the action server hop was the largest cost of a turn (``docs/performance.md``: a
new connection per call, the whole tracker as JSON both ways, a second process that can be slow
or down), and for most turns it adds nothing. A health answer, the clinic's details, the
clarifying question, the disclaimer at the start of a conversation: each is a fixed text built by
``bot.replies`` from ``data/knowledge/``, so the Rasa server can build it itself, and a patient's
answer never depends on a second process.

The action server stays for what writes to the database (booking and handoff requests) and for
the forms: their work (a database write, a delivery) must not block Rasa's event loop.

How: :func:`bot.action_calls.install` gives the actions listed here a ``RemoteAction`` whose
endpoint is :class:`InProcessEndpoint`: Rasa's own ``RemoteAction.run`` builds the request,
validates the result and says the answer exactly as after an HTTP call, and the very same Rasa SDK
action classes (``actions/``) run through the SDK's own ``ActionExecutor``. A failure is told to
the patient like a failed HTTP call.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.constants import SELECTIVE_DOMAIN
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


class InProcessEndpoint:
    """Stands where ``RemoteAction`` expects its HTTP endpoint (``EndpointConfig``): the request
    Rasa built goes to the SDK's executor in this process, and Rasa's own ``RemoteAction.run``
    does everything else (validating the result, saying the responses, reading the events).

    Selective domain: Rasa leaves the domain out of the request, since none of these actions
    reads it (without this, Rasa serialises the whole domain for every call).
    """

    def __init__(self) -> None:
        self.url = "in-process"
        self.kwargs = {SELECTIVE_DOMAIN: True}

    async def request(self, json: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        return await executor().run(json or {}) or {}


IN_PROCESS = InProcessEndpoint()
