"""Red flags: urgent-care advice at once, whatever else the conversation was doing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge
from bot.booking_flow import FORM_SLOTS
from bot.safety import red_flag_label


class ActionEmergency(Action):
    """Sends the emergency advice and ends any form, so nothing else follows in this turn."""

    def name(self) -> str:
        return "action_emergency"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        clinic = knowledge().clinic
        flags = [
            entity.get("value")
            for entity in (tracker.latest_message or {}).get("entities", [])
            if entity.get("entity") == "red_flag"
        ]
        label = red_flag_label(flags[0]) if flags else None
        if label:
            dispatcher.utter_message(
                response="utter_emergency",
                red_flag_label=label,
                emergency_number=clinic.emergency_number,
                clinic_phone=clinic.phone,
            )
        else:
            dispatcher.utter_message(
                response="utter_emergency_general",
                emergency_number=clinic.emergency_number,
                clinic_phone=clinic.phone,
            )
        # Whatever was going on (a booking form, say) ends here, answers and all.
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("booking_key", None),
            *(SlotSet(slot, None) for slot in FORM_SLOTS),
        ]
