"""Low-confidence input: ask which topic was meant, then offer a person instead of guessing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, previous_bot_action, safety_note, send
from bot.replies import clarify_messages, second_miss_messages

NOT_SUGGESTED = {
    "nlu_fallback",
    "emergency_symptoms",  # urgent advice comes from the safety net, never from a guess
    "out_of_scope",
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "stop",
    "bot_challenge",
}


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = knowledge()
        if previous_bot_action(tracker) == self.name():
            send(dispatcher, second_miss_messages(kb.clinic))
            return []
        ranking = (tracker.latest_message or {}).get("intent_ranking", [])
        candidates = [entry["name"] for entry in ranking if entry["name"] not in NOT_SUGGESTED]
        if not candidates:
            candidates = ["why_check_hips", "best_treatments", "book_appointment"]
        send(dispatcher, clarify_messages(kb, candidates))
        send(dispatcher, safety_note(tracker))
        return []
