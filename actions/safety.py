"""After urgent advice: end whatever was going on. The advice itself is not sent from here.

The urgent advice is ``utter_urgent``, finished inside Rasa by the safety net, so that it reaches
the patient even when this action server is slow or down; this action only tidies up.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.booking.flow import FORM_SLOTS

URGENT_SLOTS = ("urgent_reply", "urgency_tier", "urgency_level")


class ActionResetAfterUrgent(Action):
    """Clears the booking answers and the urgent advice, so neither is reused later."""

    def name(self) -> str:
        return "action_reset_after_urgent"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [
            SlotSet("requested_slot", None),
            SlotSet("booking_key", None),
            *(SlotSet(slot, None) for slot in (*FORM_SLOTS, *URGENT_SLOTS)),
        ]
