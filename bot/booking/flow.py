"""The booking conversation: what each answer in the booking form means, and what to say.

The Rasa form (``booking_form`` in domain.yml) asks for these slots one at a time; the actions in
``actions/booking.py`` call these functions, so the rules can be tested without Rasa. The words
are data: the fixed questions are responses in domain.yml, and what is built here around the
patient's answers (the summary, the re-asks) comes from ``booking`` in data/knowledge/messages.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.booking.contact import ContactError, display_contact, parse_contact
from bot.knowledge import Clinic, get_knowledge, get_messages, message
from bot.privacy import mask_phone

FORM_SLOTS = (
    "booking_name",
    "booking_contact",
    "booking_location",
    "booking_times",
    "booking_reason",
)
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
    if slot == "booking_name" and _looks_like_name(reading.text):
        return False  # "Lee Park" is a name, whatever a park or a clinic did to the classifier
    if slot in ("booking_times", "booking_reason"):
        # "whenever" or "mon after 5" must not read as "stop" or an emergency by a small margin.
        return reading.intent in ALWAYS_INTERRUPT and reading.confidence >= FREE_TEXT_CONFIDENCE
    if reading.intent in ALWAYS_INTERRUPT:
        return True
    return is_question(reading)


def is_question(reading: Reading) -> bool:
    """A confident health, sources or clinic question: answered, then the form asks again."""
    asks = reading.intent in QUESTION_INTERRUPT or reading.intent in get_knowledge().topics
    return asks and reading.confidence >= INTERRUPT_CONFIDENCE


def _looks_like_name(text: str) -> bool:
    """A few words, no digits, not a question: the shape of a name at "What name should...?"."""
    words = normalise_reply(text).split()
    return (
        0 < len(words) <= 4
        and not any(ch.isdigit() or ch in "?@" for ch in text)
        and not _QUESTION_RE.match(" ".join(words))
    )


def looks_like_contact(text: str) -> bool:
    """An attempt at a phone number or email, even a wrong one (which gets a specific re-ask)."""
    return "@" in text or sum(ch.isdigit() for ch in text) >= 5


_looks_like_contact = looks_like_contact


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
        return None, message("booking.name_missing")
    if len(name) > 100:
        return None, message("booking.name_too_long")
    return name, None


def validate_contact(text: str) -> tuple[str | None, str | None]:
    """(normalised phone in E.164 or email, None) or (None, the specific re-ask)."""
    if not _looks_like_contact(text) and not any(ch.isdigit() for ch in text):
        return None, message("booking.contact_missing")
    try:
        contact = parse_contact(text)
    except ContactError as error:
        return None, str(error)
    return contact.value, None


def validate_location(clinic: Clinic, value: str | None) -> tuple[str | None, str | None]:
    location = clinic.location(value)
    if location is None:
        names = f" {message('booking.or')} ".join(loc.name for loc in clinic.locations)
        return None, message("booking.location_unknown", names=names)
    return location.id, None


def contact_question(channel: str | None, sender_id: str) -> tuple[str, dict[str, str]]:
    """The response asking for a contact and its values: on SMS, it offers the number the
    patient is texting from (masked) as the default."""
    if channel == SMS_CHANNEL and sender_id.startswith("+"):
        return "utter_ask_booking_contact_sms", {"masked_number": mask_phone(sender_id)}
    return "utter_ask_booking_contact", {}


def location_buttons(clinic: Clinic) -> list[dict[str, str]]:
    return [{"title": loc.name, "payload": loc.name} for loc in clinic.locations]


def field_labels() -> dict[str, str]:
    """Each answer's label ("Phone or email"), in form order: the summary's and the buttons'."""
    labels = get_messages().section("booking.labels")
    return {slot: labels[slot] for slot in FORM_SLOTS}


def summary_text(slots: dict[str, str | None], clinic: Clinic) -> str:
    """The answers as a list to check, with the question "send it?".

    Built here rather than in a Rasa response: the patient's own words go in it, and Rasa would
    read braces in them as placeholders.
    """
    labels = field_labels()
    not_given = message("booking.not_given")
    lines = [message("booking.summary_intro")]
    for slot in FORM_SLOTS:
        value = slots.get(slot)
        if slot == "booking_location":
            location = clinic.location(value)
            value = location.name if location else value
        elif slot == "booking_contact":
            value = display_contact(value)
        lines.append(f"- {labels[slot]}: {value or not_given}")
    lines.append(message("booking.summary_question"))
    return "\n".join(lines)


def summary_buttons() -> list[dict[str, str]]:
    """Confirm, change, discard: under the summary and again after an unclear reply."""
    return [
        {"title": message("booking.buttons.confirm"), "payload": "/affirm"},
        {"title": message("booking.buttons.change"), "payload": "/change_booking"},
        {"title": message("booking.buttons.discard"), "payload": "/stop"},
    ]


def change_buttons() -> list[dict[str, str]]:
    return [
        {"title": label, "payload": f'/change_booking_field{{"booking_field": "{slot}"}}'}
        for slot, label in field_labels().items()
    ]


def is_unsent_draft(slots: dict[str, str | None]) -> bool:
    """Every answer given and a key issued, but not yet confirmed (no reference yet)."""
    return (
        bool(slots.get("booking_key"))
        and not slots.get("booking_reference")
        and all(slots.get(slot) for slot in FORM_SLOTS)
    )


def confirmation(reference: str, clinic: Clinic) -> tuple[str, dict[str, str]]:
    """The response saying the request is sent, and its values: with the clinic's online
    booking page if it has one, else its phone."""
    if clinic.booking_url:
        return "utter_booking_sent_online", {
            "reference": reference,
            "booking_url": clinic.booking_url,
        }
    return "utter_booking_sent", {"reference": reference, "clinic_phone": clinic.phone}


# --- yes/no steps: what a person types at the summary or at "is this number right?" ----------
#
# The classifier knows "yes" and "no" in general; at a yes/no step the bot knows much more about
# what the patient can mean, so the step reads the words itself ("confirm", "send it", "looks
# good", "wrong number", "no, change the time") and only falls back to the classifier when the
# words say nothing. Anything still unclear is asked again, never dropped.

CONFIRM_SLOT = "booking_confirm"
SEND, CHANGE, DISCARD, REFUSE, UNCLEAR = "send", "change", "discard", "refuse", "unclear"
YES_NO_CONFIDENCE = 0.8

_EMOJI_WORDS = {
    "👍": " yes ",
    "👌": " ok ",
    "✅": " yes ",
    "✔": " yes ",
    "☑": " yes ",
    "🙏": " please ",
    "👎": " no ",
    "❌": " no ",
    "✖": " no ",
    "🚫": " no ",
}
_YES = (
    r"y|ya|yah|yea|yeah|yeh|yes+|yep|yup|yess|ok|okay|okey|k|kk|sure|alright|all right|"
    r"confirm(?:ed)?|correct|right|exactly|fine|good|great|perfect|lgtm|absolutely|definitely|"
    r"of course|please do|go ahead|go for it|do it|send(?: it| that| them)?|submit(?: it)?|"
    r"book it|that(?:'s| is) (?:it|me|mine|right|correct|fine)|looks? (?:good|great|right|fine|ok)|"
    r"sounds? (?:good|great|right|fine)|all good|all correct|yes please|ship it|affirmative"
)
_NO = (
    r"n|no+|nope|nah|naw|not|don'?t|do not|wrong|incorrect|isn'?t|is not|mistake|negative|"
    r"wait|hold on|hang on|not (?:right|correct|mine|me)"
)
_CHANGE = (
    r"change|changes|edit|fix|correct (?:the|my)|update|modify|different|another|instead|"
    r"typo|misspel+ed|spelled wrong|new (?:number|email|time|name)"
)
_DISCARD = (
    r"cancel|discard|delete|never ?mind|forget (?:it|about it)|scrap (?:it|that)|"
    r"don'?t send|do not send|throw (?:it|that) away|drop it"
)
_QUESTION_START = (
    r"what|why|how|when|where|who|which|can|could|is|are|does|do you|will|would|should|"
    r"may|might|am i"
)
_FIELD_WORDS = {
    "booking_name": r"name|spelled|spelling",
    "booking_contact": r"number|phone|cell|mobile|email|e-mail|contact|address",
    "booking_location": r"clinic|location|boulder|lafayette|office|place",
    "booking_times": (
        r"time|times|day|days|date|morning|mornings|afternoon|afternoons|evening|evenings|"
        r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekend|when|slot"
    ),
    "booking_reason": r"reason|problem|pain|why",
}


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w'])")


_YES_RE, _NO_RE = _words(_YES), _words(_NO)
_CHANGE_RE, _DISCARD_RE = _words(_CHANGE), _words(_DISCARD)
_QUESTION_RE = re.compile(rf"^(?:{_QUESTION_START})\b")
_FIELD_RES = {slot: _words(words) for slot, words in _FIELD_WORDS.items()}


def normalise_reply(text: str) -> str:
    """Lower case, emoji as words, punctuation as spaces, curly quotes straight."""
    text = (text or "").lower().replace("\u2019", "'").replace("\u2018", "'")
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    text = re.sub(r"[^\w'@+ ]+", " ", text)
    return " ".join(text.split())


_CANCEL_FORM_RE = re.compile(
    r"^(?:ok |okay |please |actually |no )*(?:cancel|stop|quit|abort|exit)"
    r"(?: (?:the|this|my|that|it|an|a))?"
    r"(?: (?:booking|request|appointment request|form|booking request|appointment booking))?"
    r"(?: please| thanks)?$"
    r"|^(?:actually |ok |oh )*(?:never ?mind|forget it|i changed my mind)(?: thanks)?$"
)


def cancels_booking(reading: Reading) -> bool:
    """ "cancel booking", "stop", "never mind" at any question of the booking form, in those words.

    Read by the form itself, so leaving never depends on the classifier telling "cancel booking"
    from "cancel my appointment" (an existing one, which the front desk handles).
    """
    return not reading.red_flag and bool(_CANCEL_FORM_RE.match(normalise_reply(reading.text)))


def _is_question(text: str, raw: str) -> bool:
    """A question is not a yes/no answer, even if it contains "ok" ("is it ok to ...?")."""
    return len(text.split()) > 2 and (raw.rstrip().endswith("?") or bool(_QUESTION_RE.match(text)))


def read_yes_no(reading: Reading) -> str | None:
    """ "yes", "no", or None (not a yes/no answer) for the patient's reply at a yes/no step."""
    text = normalise_reply(reading.text)
    if reading.red_flag or not text or _is_question(text, reading.text):
        return None
    says_yes = bool(_YES_RE.search(text))
    says_no = bool(_NO_RE.search(text)) or bool(_DISCARD_RE.search(text))
    if says_yes != says_no:
        return "yes" if says_yes else "no"
    if says_yes:  # both: "no, that's right" is unclear; ask again
        return None
    if reading.confidence >= YES_NO_CONFIDENCE and reading.intent in ("affirm", "deny"):
        return "yes" if reading.intent == "affirm" else "no"
    return None


def fields_named(text: str) -> list[str]:
    """The summary fields a reply names ("change the time" -> booking_times), in form order."""
    words = normalise_reply(text)
    return [slot for slot, pattern in _FIELD_RES.items() if pattern.search(words)]


@dataclass(frozen=True)
class SummaryReply:
    """What a reply at the summary asks for: ``decision`` and, for a change, which field."""

    decision: str
    field: str | None = None


_PAYLOAD_DECISIONS = {"affirm": SEND, "change_booking": CHANGE, "deny": REFUSE}


def read_summary_reply(reading: Reading) -> SummaryReply | None:
    """The patient's answer to "Shall I send it to the clinic?", or None if a rule must handle it.

    None means the message is something else (a red flag, a question, "talk to a person"): the
    form's interruption rules answer it and the summary is shown again. A reply that is neither
    an answer nor an interruption is UNCLEAR, and the bot asks again with the buttons.
    """
    if reading.red_flag:
        return None
    if reading.text.startswith("/"):  # a button
        decision = _PAYLOAD_DECISIONS.get(reading.intent or "")
        return SummaryReply(decision) if decision else None
    text = normalise_reply(reading.text)
    fields = fields_named(reading.text)
    answer = read_yes_no(reading)
    if _DISCARD_RE.search(text) and not fields and answer != "yes":
        return SummaryReply(DISCARD)
    if _CHANGE_RE.search(text) or (answer == "no" and fields):
        return SummaryReply(CHANGE, fields[0] if len(fields) == 1 else None)
    if answer == "yes":
        return SummaryReply(SEND)
    if answer == "no":
        return SummaryReply(REFUSE)
    if interrupts(CONFIRM_SLOT, reading) or reading.intent == "change_booking_field":
        return None
    if reading.intent == "change_booking" and reading.confidence >= YES_NO_CONFIDENCE:
        return SummaryReply(CHANGE)
    return SummaryReply(UNCLEAR)


def confirm_prompt(
    problem: str | None, slots: dict[str, str | None], clinic: Clinic
) -> tuple[str, list[dict[str, str]]]:
    """What the summary step says: the summary, or a re-ask with the buttons live."""
    confirm, _, discard = buttons = summary_buttons()
    if problem == UNCLEAR:
        return message("booking.summary_unclear"), buttons
    if problem in (CHANGE, REFUSE):
        return message("booking.what_to_change"), [*change_buttons(), confirm, discard]
    return summary_text(slots, clinic), buttons


def sms_number_reply(reading: Reading) -> str | None:
    """At "Can the clinic reach you at the number you're texting from?": "yes", "no" or None.

    A phone number or email typed there is the answer itself, not a yes or no.
    """
    if _looks_like_contact(reading.text):
        return None
    if reading.text.startswith("/"):
        return {"affirm": "yes", "deny": "no"}.get(reading.intent or "")
    return read_yes_no(reading)


# The problem noted when the patient says no to the number they text from: the contact question
# is asked again in other words (utter_ask_booking_contact_other), without the "use it" button.
SMS_OTHER_NUMBER = "sms_other_number"
