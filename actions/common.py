"""Small helpers the actions share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase, get_knowledge


def knowledge() -> KnowledgeBase:
    return get_knowledge()


def send(dispatcher: CollectingDispatcher, messages: Iterable[dict[str, Any]]) -> None:
    """Hand messages built by ``bot.replies`` to Rasa unchanged."""
    for message in messages:
        if "custom" in message:
            dispatcher.utter_message(json_message=message["custom"])
        else:
            dispatcher.utter_message(text=message.get("text"), buttons=message.get("buttons", []))


def response_buttons(domain: dict[str, Any], response: str) -> list[dict[str, Any]]:
    """The buttons of a domain.yml response, to offer again with a re-ask said in other words."""
    variations = (domain or {}).get("responses", {}).get(response) or [{}]
    return list(variations[0].get("buttons") or [])


def safety_note(tracker: Tracker) -> list[dict[str, Any]]:
    """The one-line "If you ever have ..." the safety net adds for a denied or someone else's
    red flag ("no fever", "my son has a fever"), as a message to send after the answer."""
    notes = [
        entity.get("value")
        for entity in (tracker.latest_message or {}).get("entities", [])
        if entity.get("entity") == "red_flag_mention" and entity.get("value")
    ]
    return [{"text": notes[0]}] if notes else []


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the patient's latest message (ignoring listening)."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
            continue
        if seen_latest_user and event.get("event") == "action":
            name = event.get("name")
            if name not in ("action_listen", None):
                return name
    return None
