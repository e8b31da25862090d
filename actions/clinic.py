"""Clinic details and the ways to reach a person."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, send
from bot.booking_flow import SMS_CHANNEL
from bot.bookings import StorageUnavailable, make_idempotency_key, record_handoff
from bot.notify import kick_delivery
from bot.replies import clinic_phone_line, locations_messages

logger = logging.getLogger(__name__)


class ActionClinicInfo(Action):
    def name(self) -> str:
        return "action_clinic_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send(dispatcher, locations_messages(knowledge().clinic))
        return []


class ActionHandoff(Action):
    """Gives the clinic's phone and hours, records the request and tells staff (once per message)."""

    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        clinic = knowledge().clinic
        channel = tracker.get_latest_input_channel() or "unknown"
        contact = tracker.get_slot("booking_contact")
        if not contact and channel == SMS_CHANNEL and tracker.sender_id.startswith("+"):
            contact = tracker.sender_id
        try:
            stored = record_handoff(
                conversation_id=tracker.sender_id,
                channel=channel,
                reason="Patient asked to talk to a person",
                contact_value=contact,
                # One request per conversation and day: asking twice is the same request.
                idempotency_key=make_idempotency_key(
                    "handoff", tracker.sender_id, date.today().isoformat()
                ),
            )
        except (StorageUnavailable, ValueError):
            logger.error("handoff request not stored")
            dispatcher.utter_message(
                text=f"To talk to a person, {_lower_first(clinic_phone_line(clinic))}."
            )
            return []
        if stored.created:
            kick_delivery()
        text = f"To talk to a person, {_lower_first(clinic_phone_line(clinic))}."
        text += " I've also let the clinic team know you asked"
        text += (
            f" (reference {stored.reference})."
            if not contact
            else (
                f", and they can reach you at the contact you gave (reference {stored.reference})."
            )
        )
        dispatcher.utter_message(text=text)
        return []


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class ActionManageAppointment(Action):
    """Existing appointments: the bot can't see them, so it gives the clinic's phone."""

    def name(self) -> str:
        return "action_manage_appointment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_manage_appointment", clinic_phone=knowledge().clinic.phone)
        return []
