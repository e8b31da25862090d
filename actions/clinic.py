"""Clinic details and the ways to reach a person."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import PROBLEM_SLOT, ask_slot, latest_reading
from actions.common import knowledge, send
from bot.booking import flow
from bot.booking.contact import display_contact
from bot.booking.flow import SMS_CHANNEL
from bot.booking.notify.messages import HANDOFF_REASON
from bot.booking.notify.worker import kick_delivery
from bot.booking.store import StorageUnavailable, make_idempotency_key, record_handoff
from bot.replies import handoff_phone_line, locations_messages

logger = logging.getLogger(__name__)


class ActionClinicInfo(Action):
    def name(self) -> str:
        return "action_clinic_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send(dispatcher, locations_messages(knowledge().clinic))
        return []


HANDOFF_SLOT = "handoff_contact"
HANDOFF_SKIPPED = "/skipped"


class ActionHandoff(Action):
    """ "Talk to a person": tells the team at once if the clinic can reach the patient, else asks.

    On SMS the sender's number is the contact, and during a booking the contact already given is;
    on the web and REST the bot asks once for a phone or email (the handoff form) before telling
    the team, so a stored request is one staff can act on.
    """

    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        contact = _known_contact(tracker)
        in_booking = (tracker.active_loop or {}).get("name") == "booking_form"
        if contact or in_booking:
            _record_and_tell(dispatcher, tracker, contact)
            return []
        # The form comes next (a loop has priority in Rasa's rules) and asks its one question.
        return [SlotSet(HANDOFF_SLOT, None), ActiveLoop("handoff_form")]


class ValidateHandoffForm(FormValidationAction):
    """The one handoff question: a phone or email (the booking form's checks), or skip."""

    def name(self) -> str:
        return "validate_handoff_form"

    async def extract_handoff_contact(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != HANDOFF_SLOT:
            return {}
        reading = latest_reading(tracker)
        if reading.red_flag:
            return {}  # the safety rule answers; the question is not repeated after it
        if handoff_answer(reading) == "contact":
            return {HANDOFF_SLOT: reading.text}
        if flow.is_question(reading):
            return {}  # a rule answers the question, then the form asks for the contact again
        return {HANDOFF_SLOT: HANDOFF_SKIPPED}

    def validate_handoff_contact(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None or value == HANDOFF_SKIPPED:
            return {HANDOFF_SLOT: value}
        cleaned, problem = flow.validate_contact(str(value))
        return {HANDOFF_SLOT: cleaned, PROBLEM_SLOT: problem}


class ActionAskHandoffContact(Action):
    def name(self) -> str:
        return "action_ask_handoff_contact"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        return ask_slot(dispatcher, tracker, domain, "utter_ask_handoff_contact")


class ActionHandoffSubmit(Action):
    """After the handoff question: store the request, with the contact if one was given."""

    def name(self) -> str:
        return "action_handoff_submit"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        contact = tracker.get_slot(HANDOFF_SLOT)
        contact = None if contact == HANDOFF_SKIPPED else contact
        _record_and_tell(dispatcher, tracker, contact)
        return [SlotSet(HANDOFF_SLOT, None)]


def handoff_answer(reading: flow.Reading) -> str:
    """ "contact" if the reply is an attempt at a phone or email, else "skip"."""
    return "contact" if flow.looks_like_contact(reading.text) else "skip"


def _known_contact(tracker: Tracker) -> str | None:
    contact = tracker.get_slot("booking_contact") or tracker.get_slot(HANDOFF_SLOT)
    if contact == HANDOFF_SKIPPED:
        contact = None
    channel = tracker.get_latest_input_channel()
    if not contact and channel == SMS_CHANNEL and tracker.sender_id.startswith("+"):
        contact = tracker.sender_id
    return contact


def _record_and_tell(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact: str | None
) -> None:
    """Store the request once per conversation and day; say "they'll contact you" only if so."""
    clinic = knowledge().clinic
    phone_line = handoff_phone_line(clinic)
    try:
        stored = record_handoff(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            reason=HANDOFF_REASON,
            contact_value=contact,
            # One request per conversation and day: asking twice is the same request.
            idempotency_key=make_idempotency_key(
                "handoff", tracker.sender_id, date.today().isoformat()
            ),
        )
    except (StorageUnavailable, ValueError):
        logger.error("handoff request not stored")
        dispatcher.utter_message(response="utter_handoff_not_stored", phone_line=phone_line)
        return
    if stored.created or stored.updated:
        kick_delivery()
    if contact:
        dispatcher.utter_message(
            response="utter_handoff_will_contact",
            reference=stored.reference,
            contact=display_contact(contact),
            phone_line=phone_line,
        )
    else:
        dispatcher.utter_message(
            response="utter_handoff_no_contact", reference=stored.reference, phone_line=phone_line
        )


class ActionManageAppointment(Action):
    """Existing appointments: the bot can't see them, so it gives the clinic's phone."""

    def name(self) -> str:
        return "action_manage_appointment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            response="utter_manage_appointment", clinic_phone=knowledge().clinic.phone
        )
        return []
