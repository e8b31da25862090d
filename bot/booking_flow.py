"""The booking conversation: what each answer in the booking form means, and what to say.

The Rasa form (``booking_form`` in domain.yml) asks for these slots one at a time; the actions in
``actions/booking.py`` call these functions, so the rules can be tested without Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.contact import ContactError, mask_phone, parse_contact
from bot.knowledge import Clinic, get_knowledge

FORM_SLOTS = (
    "booking_name",
    "booking_contact",
    "booking_location",
    "booking_times",
    "booking_reason",
)
FIELD_LABELS = {
    "booking_name": "Name",
    "booking_contact": "Phone or email",
    "booking_location": "Clinic",
    "booking_times": "Preferred days and times",
    "booking_reason": "Reason",
}
# Intents that leave the form's question unanswered, so a rule handles them and the form resumes
# (questions) or ends (stop, red flags).
ALWAYS_INTERRUPT = {"emergency_symptoms", "stop", "talk_to_human"}
# Besides every health topic in the knowledge base (whose ids are their intents):
QUESTION_INTERRUPT = {"ask_sources", "clinic_locations"}
INTERRUPT_CONFIDENCE = 0.8
FREE_TEXT_CONFIDENCE = 0.9
YES_NO_WORDS = {"yes", "y", "yeah", "yep", "yup", "ok", "okay", "sure", "no", "n", "nope", "nah"}
SMS_CHANNEL = "twilio"
DEFAULT_REASON = "low back pain"
MAX_FIELD_CHARS = 300


@dataclass(frozen=True)
class Reading:
    """What the patient's latest message means for the requested slot."""

    intent: str | None
    confidence: float
    text: str
    locations: tuple[str, ...] = ()
    red_flag: bool = False


def interrupts(slot: str, reading: Reading) -> bool:
    """True if the message is not an answer to ``slot`` but something a rule must handle.

    A red-flag term always interrupts. Otherwise a message that has the shape of the answer (a
    phone number, a clinic name) is the answer, whatever the classifier thought of it; and
    free-text answers (times, reason) are only interrupted by stop and asking for a person,
    because "as soon as possible" is a fine answer there and not a question.
    """
    if reading.red_flag:
        return True
    if slot == "booking_contact" and _looks_like_contact(reading.text):
        return False
    if slot == "booking_location" and reading.locations:
        return False
    if slot in ("booking_times", "booking_reason"):
        # "whenever" or "mon after 5" must not read as "stop" or an emergency by a small margin.
        return reading.intent in ALWAYS_INTERRUPT and reading.confidence >= FREE_TEXT_CONFIDENCE
    if reading.intent in ALWAYS_INTERRUPT:
        return True
    is_question = reading.intent in QUESTION_INTERRUPT or reading.intent in get_knowledge().topics
    return is_question and reading.confidence >= INTERRUPT_CONFIDENCE


def _looks_like_contact(text: str) -> bool:
    """An attempt at a phone number or email, even a wrong one (which gets a specific re-ask)."""
    return "@" in text or sum(ch.isdigit() for ch in text) >= 5


def clean_free_text(text: str) -> str:
    return " ".join(text.split())[:MAX_FIELD_CHARS]


def validate_name(text: str) -> tuple[str | None, str | None]:
    """(name, None) or (None, re-ask)."""
    name = clean_free_text(text)
    if (
        name.startswith("/")
        or not any(ch.isalpha() for ch in name)
        or name.lower().strip(".!") in YES_NO_WORDS
    ):
        return None, "Please tell me the name the clinic should use for you."
    if len(name) > 100:
        return None, "That's longer than a name usually is. Please send just your name."
    return name, None


def validate_contact(text: str) -> tuple[str | None, str | None]:
    """(normalised phone in E.164 or email, None) or (None, the specific re-ask)."""
    if not _looks_like_contact(text) and not any(ch.isdigit() for ch in text):
        return None, (
            "Please send a phone number (like 303-555-0100) or an email address "
            "(like jane@example.com) so the clinic can reach you."
        )
    try:
        contact = parse_contact(text)
    except ContactError as error:
        return None, str(error)
    return contact.value, None


def validate_location(clinic: Clinic, value: str | None) -> tuple[str | None, str | None]:
    location = clinic.location(value)
    if location is None:
        names = " or ".join(loc.name for loc in clinic.locations)
        return None, f"Please choose {names}."
    return location.id, None


def contact_question(channel: str | None, sender_id: str) -> tuple[str, list[dict[str, str]]]:
    """On SMS, offer the number the patient is texting from as the default."""
    if channel == SMS_CHANNEL and sender_id.startswith("+"):
        return (
            (
                f"Can the clinic reach you at the number you're texting from "
                f"({mask_phone(sender_id)})? Reply yes, or send another phone number or an email "
                "address."
            ),
            [{"title": "Yes, use this number", "payload": "/affirm"}],
        )
    return "What's the best phone number or email address for the clinic to reach you?", []


def location_buttons(clinic: Clinic) -> list[dict[str, str]]:
    return [{"title": loc.name, "payload": loc.name} for loc in clinic.locations]


def summary_text(slots: dict[str, str | None], clinic: Clinic) -> str:
    lines = ["Here's your appointment request:"]
    for slot in FORM_SLOTS:
        value = slots.get(slot)
        if slot == "booking_location":
            location = clinic.location(value)
            value = location.name if location else value
        lines.append(f"- {FIELD_LABELS[slot]}: {value or '(not given)'}")
    lines.append("Shall I send it to the clinic?")
    return "\n".join(lines)


SUMMARY_BUTTONS = [
    {"title": "Confirm and send", "payload": "/affirm"},
    {"title": "Change something", "payload": "/change_booking"},
    {"title": "Discard this request", "payload": "/stop"},
]


def change_buttons() -> list[dict[str, str]]:
    return [
        {"title": label, "payload": f'/change_booking_field{{"booking_field": "{slot}"}}'}
        for slot, label in FIELD_LABELS.items()
    ]


def is_unsent_draft(slots: dict[str, str | None]) -> bool:
    """Every answer given and a key issued, but not yet confirmed (no reference yet)."""
    return (
        bool(slots.get("booking_key"))
        and not slots.get("booking_reference")
        and all(slots.get(slot) for slot in FORM_SLOTS)
    )


def confirmation_text(reference: str, clinic: Clinic) -> str:
    text = (
        f"Your request is sent. Your reference is {reference}. The clinic will contact you to "
        "confirm a time."
    )
    if clinic.booking_url:
        text += f" You can also pick a time online: {clinic.booking_url}"
    else:
        text += f" Questions? Call {clinic.phone}."
    return text


def not_saved_text(clinic: Clinic) -> str:
    return (
        "Sorry, I couldn't save your request because of a problem on our side, so it has NOT been "
        f"sent to the clinic. Please call {clinic.name} at {clinic.phone}, or tap Confirm to try "
        "again in a moment."
    )
