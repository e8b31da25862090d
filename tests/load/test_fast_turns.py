"""Rasa's per-turn checks, done once per process (``bot/fast_turns.py``), still check the same."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot import fast_turns


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)  # undone after each test
    fast_turns.install()


def test_an_action_result_is_still_checked_against_rasas_event_format() -> None:
    action = RemoteAction("action_answer_topic", None)
    good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(good)
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": "slot"}]})  # a slot without a name
    with pytest.raises(ValidationError):
        action._validate_action_result({"responses": "not a list"})


def test_a_conversation_is_rebuilt_with_the_same_events() -> None:
    stored = [
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "action", "name": "action_listen"},
        {"event": "slot", "name": "booking_name", "value": "Ana"},
    ]
    for _ in range(2):  # the second time from the remembered classes
        events = [Event.from_parameters(p) for p in stored]
        assert [type(e) for e in events] == [UserUttered, ActionExecuted, SlotSet]
    assert Event.resolve_by_type("nonsense", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("nonsense")
