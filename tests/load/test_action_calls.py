"""Action calls under strain (issue 12, ``bot/action_calls.py``): retried when the connection was
dropped before the request went out, and never silent when they fail for good.

Uses Rasa's real ``RemoteAction`` and the project's domain responses, against a port where the
action server is not (yet) listening.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_calls, in_process_actions
from bot.knowledge import get_knowledge
from tests.support.live_bot import PROJECT_ROOT, free_port

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(autouse=True)
def wrapped(monkeypatch):
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)  # undone after each test
    monkeypatch.setenv("ACTION_CALL_ATTEMPTS", "5")
    action_calls.install()


async def run_action(name: str, port: int) -> list:
    action = RemoteAction(name, EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    tracker = DialogueStateTracker("patient", DOMAIN.slots)
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return await action.run(CollectingOutputChannel(), nlg, tracker, DOMAIN)


async def action_server(port: int) -> web.AppRunner:
    async def webhook(request: web.Request) -> web.Response:
        return web.json_response({"events": [], "responses": [{"text": "the answer"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def test_a_call_whose_connection_was_refused_is_retried_and_answered() -> None:
    port = free_port()

    async def scenario() -> list:
        call = asyncio.create_task(run_action("action_handoff_submit", port))
        await asyncio.sleep(0.05)  # the first attempt has failed; the server comes up now
        runner = await action_server(port)
        try:
            return await call
        finally:
            await runner.cleanup()

    events = asyncio.run(scenario())
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["the answer"]


def test_a_call_that_fails_for_good_tells_the_patient_the_clinic_phone() -> None:
    failures = action_calls.failures()
    events = asyncio.run(run_action("action_handoff_submit", free_port()))
    said = [e.text for e in events if isinstance(e, BotUttered)]
    assert len(said) == 1
    assert get_knowledge().clinic.phone in said[0]
    assert action_calls.failures() == failures + 1


def test_a_failed_session_start_still_starts_the_session_with_the_disclaimer(monkeypatch) -> None:
    async def broken(*args, **kwargs) -> list:
        raise RuntimeError("the knowledge base could not be read")

    monkeypatch.setattr(in_process_actions.InProcessEndpoint, "request", broken)
    events = asyncio.run(run_action("action_session_start", free_port()))
    assert any(isinstance(e, SessionStarted) for e in events)
    said = [e.text for e in events if isinstance(e, BotUttered)]
    assert said and get_knowledge().clinic.emergency_number in said[0]


def test_read_only_actions_answer_with_no_action_server_at_all() -> None:
    """A health answer is built in the Rasa process: nothing listens on the port."""
    action = RemoteAction("action_answer_topic", EndpointConfig(f"http://127.0.0.1:{free_port()}"))
    tracker = DialogueStateTracker("patient", DOMAIN.slots)
    tracker.update(UserUttered("why the hips?", intent={"name": "why_check_hips", "confidence": 1}))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    failures = action_calls.failures()
    events = asyncio.run(action.run(CollectingOutputChannel(), nlg, tracker, DOMAIN))
    said = " ".join(e.text or "" for e in events if isinstance(e, BotUttered))
    assert "hip" in said.lower() and "doi.org" in said
    assert SlotSet("last_answer_id", "why_check_hips") in events
    assert action_calls.failures() == failures


def test_actions_that_store_requests_stay_on_the_action_server() -> None:
    """Booking and handoff requests are written by the action server, off Rasa's event loop."""
    for name in ("action_submit_booking", "action_handoff_submit", "validate_booking_form"):
        assert not in_process_actions.runs_in_process(name)
