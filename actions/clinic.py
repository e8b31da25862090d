"""Clinic details and the ways to reach a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, send
from bot.replies import clinic_phone_line, locations_messages


class ActionClinicInfo(Action):
    def name(self) -> str:
        return "action_clinic_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send(dispatcher, locations_messages(knowledge().clinic))
        return []


class ActionHandoff(Action):
    """Gives the clinic's phone (and hours) so the patient can reach a person."""

    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        clinic = knowledge().clinic
        dispatcher.utter_message(
            text=f"You can talk to a person at the clinic: {clinic_phone_line(clinic)}."
        )
        return []


class ActionBookAppointment(Action):
    """Points the patient to booking."""

    def name(self) -> str:
        return "action_book_appointment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        clinic = knowledge().clinic
        text = f"To book, {clinic_phone_line(clinic)[0].lower()}{clinic_phone_line(clinic)[1:]}."
        if clinic.booking_url:
            text += f" Or book online: {clinic.booking_url}"
        dispatcher.utter_message(text=text)
        return []
