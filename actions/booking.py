"""The booking form: collect, summarise, confirm, and store the request exactly once."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, response_buttons
from bot.booking import flow
from bot.booking.contact import parse_contact
from bot.booking.notify.worker import kick_delivery
from bot.booking.store import BookingDraft, StorageUnavailable, submit_booking

logger = logging.getLogger(__name__)


def latest_reading(tracker: Tracker) -> flow.Reading:
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


PROBLEM_SLOT = "form_problem"
SMS_NUMBER_DECLINED = "/declined"  # "no" to "the number you're texting from?"


def _validated(
    slot: str, value: Any, check: Callable[[str], tuple[str | None, str | None]]
) -> dict[str, Any]:
    """The slot set to the checked value; the check's problem, if any, is kept for the re-ask.

    The problem is not said here: the form asks for the slot again right after, and the ask
    action says the problem *instead of* the question, so the patient reads one re-ask.
    """
    if value is None:
        return {slot: None}
    cleaned, problem = check(str(value))
    return {slot: cleaned, PROBLEM_SLOT: problem}


def ask_slot(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: dict[str, Any],
    response: str,
    buttons: list[dict[str, str]] | None = None,
    **values: Any,
) -> list[EventType]:
    """Ask for a slot: the question (``response`` with ``values``), or instead the pending
    problem ("that number has 9 digits...") with the question's buttons.

    ``buttons`` are added to the response's own (choices built from data, like the clinics).
    """
    problem = tracker.get_slot(PROBLEM_SLOT)
    if problem:
        buttons = [*response_buttons(domain, response), *(buttons or [])]
        dispatcher.utter_message(text=problem, buttons=buttons)
        return [SlotSet(PROBLEM_SLOT, None)]
    dispatcher.utter_message(response=response, buttons=buttons or [], **values)
    return []


def _answering(tracker: Tracker, slot: str) -> flow.Reading | None:
    """The reading of the latest message if it answers ``slot``; None if a rule must handle it."""
    if tracker.get_slot("requested_slot") != slot:
        return None
    reading = latest_reading(tracker)
    if flow.interrupts(slot, reading) or flow.cancels_booking(reading):
        return None
    return reading


def _booking_reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*flow.FORM_SLOTS, flow.CONFIRM_SLOT, PROBLEM_SLOT)] + [
        SlotSet("requested_slot", None)
    ]


class ActionBookAppointment(Action):
    """Starts a new booking: a fresh idempotency key and what the conversation already says."""

    def name(self) -> str:
        return "action_book_appointment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slots = {name: tracker.get_slot(name) for name in (*flow.FORM_SLOTS, "booking_key")}
        if flow.is_unsent_draft(
            {**slots, "booking_reference": tracker.get_slot("booking_reference")}
        ):
            # A question at the summary, then "yes": go back to the same request, not a blank one.
            dispatcher.utter_message(response="utter_booking_resume")
            return []
        events: list[EventType] = _booking_reset()
        events.append(SlotSet("booking_key", uuid.uuid4().hex))
        events.append(SlotSet("booking_reference", None))
        reading = latest_reading(tracker)
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
        if tracker.get_latest_input_channel() == flow.SMS_CHANNEL:
            # "Can the clinic reach you at the number you're texting from?"
            answer = flow.sms_number_reply(reading)
            if answer == "yes":
                return {"booking_contact": tracker.sender_id}
            if answer == "no":
                return {"booking_contact": SMS_NUMBER_DECLINED}
        return {"booking_contact": reading.text}

    async def extract_booking_confirm(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        """The summary's answer, read by the step itself (see flow.read_summary_reply); also
        "cancel booking" at any question, which ends the form with nothing sent."""
        reading = latest_reading(tracker)
        if tracker.get_slot("requested_slot") and flow.cancels_booking(reading):
            return {flow.CONFIRM_SLOT: flow.DISCARD}
        if tracker.get_slot("requested_slot") != flow.CONFIRM_SLOT:
            return {}
        field = tracker.get_slot("booking_field")
        if reading.intent == "change_booking_field" and field in flow.FORM_SLOTS:
            return {flow.CONFIRM_SLOT: f"{flow.CHANGE}:{field}"}
        reply = flow.read_summary_reply(reading)
        if reply is None:
            return {}
        decision = f"{reply.decision}:{reply.field}" if reply.field else reply.decision
        return {flow.CONFIRM_SLOT: decision}

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
        return _validated("booking_name", value, flow.validate_name)

    def validate_booking_contact(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value == SMS_NUMBER_DECLINED:
            return {"booking_contact": None, PROBLEM_SLOT: flow.SMS_OTHER_NUMBER}
        return _validated("booking_contact", value, flow.validate_contact)

    def validate_booking_confirm(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        """Send or discard end the form; a change clears the field so the form asks it again."""
        if value is None:  # cleared (a new or changed request): nothing was answered
            return {flow.CONFIRM_SLOT: None}
        decision, _, field = str(value).partition(":")
        if decision == flow.DISCARD:  # ends the form now, whichever question was open
            return {flow.CONFIRM_SLOT: decision, "requested_slot": None}
        if decision == flow.SEND:
            return {flow.CONFIRM_SLOT: decision}
        if decision == flow.CHANGE and field in flow.FORM_SLOTS:
            return {flow.CONFIRM_SLOT: None, field: None, "booking_field": None}
        if decision not in (flow.CHANGE, flow.REFUSE):
            decision = flow.UNCLEAR
        return {flow.CONFIRM_SLOT: None, PROBLEM_SLOT: decision}

    def validate_booking_location(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return _validated(
            "booking_location",
            value,
            lambda text: flow.validate_location(knowledge().clinic, text),
        )


class ActionAskBookingName(Action):
    def name(self) -> str:
        return "action_ask_booking_name"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        return ask_slot(dispatcher, tracker, domain, "utter_ask_booking_name")


class ActionAskBookingContact(Action):
    def name(self) -> str:
        return "action_ask_booking_contact"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        if tracker.get_slot(PROBLEM_SLOT) == flow.SMS_OTHER_NUMBER:
            # They said no to the number they text from: asked in other words, not offered again.
            dispatcher.utter_message(response="utter_ask_booking_contact_other")
            return [SlotSet(PROBLEM_SLOT, None)]
        response, values = flow.contact_question(
            tracker.get_latest_input_channel(), tracker.sender_id
        )
        return ask_slot(dispatcher, tracker, domain, response, **values)


class ActionAskBookingLocation(Action):
    def name(self) -> str:
        return "action_ask_booking_location"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        buttons = flow.location_buttons(knowledge().clinic)
        return ask_slot(dispatcher, tracker, domain, "utter_ask_booking_location", buttons)


class ActionAskBookingConfirm(Action):
    """The summary; after an unclear reply or a "no", a re-ask with the buttons live."""

    def name(self) -> str:
        return "action_ask_booking_confirm"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        slots = {slot: tracker.get_slot(slot) for slot in flow.FORM_SLOTS}
        problem = tracker.get_slot(PROBLEM_SLOT)
        text, buttons = flow.confirm_prompt(problem, slots, knowledge().clinic)
        dispatcher.utter_message(text=text, buttons=buttons)
        return [SlotSet(PROBLEM_SLOT, None)] if problem else []


class ActionSubmitBooking(Action):
    """Stores the request once (the key survives double taps and retried webhooks)."""

    def name(self) -> str:
        return "action_submit_booking"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        clinic = knowledge().clinic
        if tracker.get_slot(flow.CONFIRM_SLOT) == flow.DISCARD:
            dispatcher.utter_message(response="utter_booking_cancelled")
            return [*_booking_reset(), SlotSet("booking_key", None)]
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
            dispatcher.utter_message(
                response="utter_booking_not_saved",
                clinic_name=clinic.name,
                clinic_phone=clinic.phone,
            )
            # Back to the summary with its buttons, so "Confirm" can be tapped again.
            return [SlotSet(flow.CONFIRM_SLOT, None), FollowupAction("booking_form")]
        if stored.created:
            kick_delivery()
        response, values = flow.confirmation(stored.reference, clinic)
        dispatcher.utter_message(response=response, **values)
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
            dispatcher.utter_message(response="utter_no_booking_to_change")
            return []
        dispatcher.utter_message(response="utter_ask_booking_change", buttons=flow.change_buttons())
        return []


class ActionChangeBooking(Action):
    """Clears the chosen field so the form asks for it again, then shows the summary."""

    def name(self) -> str:
        return "action_change_booking"

    def run(self, dispatcher, tracker: Tracker, domain) -> list[EventType]:
        field = tracker.get_slot("booking_field")
        events: list[EventType] = [SlotSet("booking_field", None), SlotSet(flow.CONFIRM_SLOT, None)]
        if not tracker.get_slot("booking_key"):  # no draft: this starts a new request
            events += [*_booking_reset(), SlotSet("booking_key", uuid.uuid4().hex)]
        if field in flow.FORM_SLOTS:
            events.append(SlotSet(field, None))
        return events
