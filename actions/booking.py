"""The booking form: collect, summarise, confirm, and store the request exactly once."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge
from bot import booking_flow as flow
from bot.bookings import BookingDraft, StorageUnavailable, submit_booking
from bot.contact import parse_contact
from bot.notify import kick_delivery

logger = logging.getLogger(__name__)


def _reading(tracker: Tracker) -> flow.Reading:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    entities = latest.get("entities", [])
    locations = tuple(
        str(entity.get("value")).lower()
        for entity in entities
        if entity.get("entity") == "clinic_location"
    )
    return flow.Reading(
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        text=latest.get("text") or "",
        locations=locations,
        red_flag=any(entity.get("entity") == "red_flag" for entity in entities),
    )


def _validated(
    slot: str,
    value: Any,
    dispatcher: CollectingDispatcher,
    check: Callable[[str], tuple[str | None, str | None]],
) -> dict[str, Any]:
    """The slot set to the checked value; the check's problem, if any, is told to the patient."""
    if value is None:
        return {slot: None}
    cleaned, problem = check(str(value))
    if problem:
        dispatcher.utter_message(text=problem)
    return {slot: cleaned}


def _answering(tracker: Tracker, slot: str) -> flow.Reading | None:
    """The reading of the latest message if it answers ``slot``; None if a rule must handle it."""
    if tracker.get_slot("requested_slot") != slot:
        return None
    reading = _reading(tracker)
    if flow.interrupts(slot, reading):
        return None
    return reading


def _booking_reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in flow.FORM_SLOTS] + [SlotSet("requested_slot", None)]


class ActionBookAppointment(Action):
    """Starts a new booking: a fresh idempotency key and what the conversation already says."""

    def name(self) -> str:
        return "action_book_appointment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slots = {name: tracker.get_slot(name) for name in (*flow.FORM_SLOTS, "booking_key")}
        if flow.is_unsent_draft({**slots, "booking_reference": tracker.get_slot("booking_reference")}):
            # A question at the summary, then "yes": go back to the same request, not a blank one.
            dispatcher.utter_message(text="Let's finish the request you started.")
            return []
        events: list[EventType] = _booking_reset()
        events.append(SlotSet("booking_key", uuid.uuid4().hex))
        events.append(SlotSet("booking_reference", None))
        reading = _reading(tracker)
        if reading.locations:
            events.append(SlotSet("booking_location", reading.locations[0]))
        if tracker.get_slot("last_answer_id"):
            events.append(SlotSet("booking_reason", flow.DEFAULT_REASON))
        dispatcher.utter_message(response="utter_booking_intro")
        return events


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def extract_booking_name(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        reading = _answering(tracker, "booking_name")
        return {"booking_name": reading.text} if reading else {}

    async def extract_booking_contact(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        reading = _answering(tracker, "booking_contact")
        if not reading:
            return {}
        if reading.intent == "affirm" and tracker.get_latest_input_channel() == flow.SMS_CHANNEL:
            return {"booking_contact": tracker.sender_id}
        return {"booking_contact": reading.text}

    async def extract_booking_location(
        self, dispatcher, tracker: Tracker, domain
    ) -> dict[str, Any]:
        reading = _answering(tracker, "booking_location")
        if not reading:
            return {}
        return {"booking_location": reading.locations[0] if reading.locations else reading.text}

    async def extract_booking_times(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        reading = _answering(tracker, "booking_times")
        return {"booking_times": flow.clean_free_text(reading.text)} if reading else {}

    async def extract_booking_reason(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        reading = _answering(tracker, "booking_reason")
        return {"booking_reason": flow.clean_free_text(reading.text)} if reading else {}

    def validate_booking_name(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return _validated("booking_name", value, dispatcher, flow.validate_name)

    def validate_booking_contact(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return _validated("booking_contact", value, dispatcher, flow.validate_contact)

    def validate_booking_location(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return _validated(
            "booking_location",
            value,
            dispatcher,
            lambda text: flow.validate_location(knowledge().clinic, text),
        )


class ActionAskBookingContact(Action):
    def name(self) -> str:
        return "action_ask_booking_contact"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        text, buttons = flow.contact_question(tracker.get_latest_input_channel(), tracker.sender_id)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionAskBookingLocation(Action):
    def name(self) -> str:
        return "action_ask_booking_location"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        clinic = knowledge().clinic
        dispatcher.utter_message(
            text="Which clinic would you prefer?", buttons=flow.location_buttons(clinic)
        )
        return []


class ActionBookingSummary(Action):
    def name(self) -> str:
        return "action_booking_summary"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        slots = {slot: tracker.get_slot(slot) for slot in flow.FORM_SLOTS}
        dispatcher.utter_message(
            text=flow.summary_text(slots, knowledge().clinic), buttons=flow.SUMMARY_BUTTONS
        )
        return []


class ActionSubmitBooking(Action):
    """Stores the request once (the key survives double taps and retried webhooks)."""

    def name(self) -> str:
        return "action_submit_booking"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        clinic = knowledge().clinic
        if not tracker.get_slot("booking_key") or not tracker.get_slot("booking_contact"):
            dispatcher.utter_message(response="utter_anything_else")
            return []
        contact = parse_contact(tracker.get_slot("booking_contact"))
        draft = BookingDraft(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            name=tracker.get_slot("booking_name"),
            contact_kind=contact.kind,
            contact_value=contact.value,
            clinic_location=tracker.get_slot("booking_location"),
            preferred_times=tracker.get_slot("booking_times"),
            reason=tracker.get_slot("booking_reason"),
        )
        try:
            stored = submit_booking(draft, idempotency_key=tracker.get_slot("booking_key"))
        except StorageUnavailable:
            logger.error("booking request not stored: database unavailable")
            dispatcher.utter_message(text=flow.not_saved_text(clinic))
            return []
        if stored.created:
            kick_delivery()
        dispatcher.utter_message(text=flow.confirmation_text(stored.reference, clinic))
        # The answers are with the clinic now; they are not kept in the conversation to be shown
        # (or changed) again, and a new booking starts from a blank form with a new key.
        return [
            *_booking_reset(),
            SlotSet("booking_key", None),
            SlotSet("booking_reference", stored.reference),
        ]


class ActionCancelBooking(Action):
    def name(self) -> str:
        return "action_cancel_booking"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response="utter_booking_cancelled")
        return [ActiveLoop(None), *_booking_reset(), SlotSet("booking_key", None)]


class ActionAskBookingChange(Action):
    def name(self) -> str:
        return "action_ask_booking_change"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        if not tracker.get_slot("booking_key"):
            dispatcher.utter_message(
                text="There's no appointment request in progress to change. To change an "
                "appointment you already have, please call the clinic; or start a new request.",
                buttons=[{"title": "Request an appointment", "payload": "/book_appointment"}],
            )
            return []
        dispatcher.utter_message(
            text="What would you like to change?", buttons=flow.change_buttons()
        )
        return []


class ActionChangeBooking(Action):
    """Clears the chosen field so the form asks for it again, then shows the summary."""

    def name(self) -> str:
        return "action_change_booking"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        field = tracker.get_slot("booking_field")
        events: list[EventType] = [SlotSet("booking_field", None)]
        if not tracker.get_slot("booking_key"):  # no draft: this starts a new request
            events += [*_booking_reset(), SlotSet("booking_key", uuid.uuid4().hex)]
        if field in flow.FORM_SLOTS:
            events.append(SlotSet(field, None))
        return events
