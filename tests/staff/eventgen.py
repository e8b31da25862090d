"""Conversations as Rasa really stores them: rasa.shared.core.events objects, serialised exactly
like ``SQLTrackerStore.save`` does (``event.as_dict()`` as JSON, intent and action columns)."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)


@dataclass
class Turn:
    text: str
    intent: str
    confidence: float = 0.95
    replies: list[str] = field(default_factory=lambda: ["OK."])
    actions: list[str] = field(default_factory=list)  # custom actions run before the replies
    loop: str | None = None  # a form that starts in this turn


def conversation(
    start: float, turns: list[Turn], channel: str = "rest", gap: float = 20.0
) -> list[Event]:
    """A session start followed by ``turns``, each ``gap`` seconds apart, from ``start``."""
    t = start
    result: list[Event] = [
        ActionExecuted("action_session_start", timestamp=t),
        SessionStarted(timestamp=t),
        SlotSet("session_started_metadata", None, timestamp=t),
        ActionExecuted("action_listen", timestamp=t),
    ]
    for turn in turns:
        t += gap
        intent = {"name": turn.intent, "confidence": turn.confidence}
        result.append(
            UserUttered(
                turn.text,
                intent=intent,
                parse_data={
                    "intent": intent,
                    "entities": [],
                    "text": turn.text,
                    "intent_ranking": [intent],
                },
                input_channel=channel,
                timestamp=t,
            )
        )
        for action in turn.actions:
            t += 0.1
            result.append(ActionExecuted(action, policy="RulePolicy", confidence=1.0, timestamp=t))
        if turn.loop:
            t += 0.1
            result.append(
                ActionExecuted(turn.loop, policy="RulePolicy", confidence=1.0, timestamp=t)
            )
            result.append(ActiveLoop(turn.loop, timestamp=t))
        for reply in turn.replies:
            t += 0.1
            result.append(
                ActionExecuted("utter_reply", policy="TEDPolicy", confidence=0.9, timestamp=t)
            )
            result.append(BotUttered(reply, metadata={"utter_action": "utter_reply"}, timestamp=t))
        t += 0.1
        result.append(
            ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0, timestamp=t)
        )
    return result


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The ``events`` row SQLTrackerStore.save writes for ``event`` (rasa/core/tracker_store.py)."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def save_with_rasa(url: str, conversations: dict[str, list[Event]]) -> None:
    """Store conversations through Rasa's own SQLTrackerStore (creates the ``events`` table)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(host=url)

    async def save_all() -> None:
        for sender_id, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender_id, events))

    asyncio.run(save_all())
    store.engine.dispose()
