"""Health answers with their sources, and "where's that from?"."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_intent, safety_note, send
from bot.replies import answer_messages, sources_messages


class ActionAnswerTopic(Action):
    """Answers the health question the patient asked (the intent names the topic)."""

    def name(self) -> str:
        return "action_answer_topic"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = knowledge()
        topic = kb.topic(latest_intent(tracker) or "")
        if topic is None:
            # Only reachable if a rule names an intent without a topic: never guess an answer.
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        in_form = bool(tracker.active_loop.get("name"))
        send(dispatcher, answer_messages(kb, topic, offer_next_steps=not in_form))
        send(dispatcher, safety_note(tracker))
        return [SlotSet("last_answer_id", topic.id)]


class ActionCiteSources(Action):
    """Cites the sources of the last answer, or lists everything the bot draws on."""

    def name(self) -> str:
        return "action_cite_sources"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = knowledge()
        last = kb.topic(tracker.get_slot("last_answer_id") or "")
        send(dispatcher, sources_messages(kb, last))
        return []
