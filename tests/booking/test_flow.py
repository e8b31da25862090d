"""What the booking form makes of each answer (bot/booking/flow.py), without Rasa."""

from __future__ import annotations

import pytest
import yaml

from bot.booking import flow
from bot.knowledge import get_knowledge
from bot.settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def reading(text: str, intent: str, confidence: float = 0.95, **extra) -> flow.Reading:
    return flow.Reading(intent=intent, confidence=confidence, text=text, **extra)


@pytest.mark.parametrize(
    ("slot", "message", "expected"),
    [
        # A phone number is the answer even if the classifier mistook it for something else.
        ("booking_contact", reading("720-555-0188", "emergency_symptoms"), False),
        ("booking_contact", reading("303-555-012", "how_soon"), False),
        (
            "booking_location",
            reading("Lafayette", "clinic_locations", locations=("lafayette",)),
            False,
        ),
        # "as soon as possible" is a fine answer to "when", not a question about timing.
        ("booking_times", reading("as soon as possible", "how_soon"), False),
        ("booking_reason", reading("my lower back", "why_check_hips"), False),
        # A real question in the middle of the form is answered, then the form resumes.
        ("booking_name", reading("why do you check my hips", "why_check_hips"), True),
        ("booking_contact", reading("where is that from", "ask_sources"), True),
        ("booking_name", reading("Jo", "hip_asymmetry", confidence=0.4), False),
        ("booking_name", reading("Lee Park", "clinic_locations", confidence=0.85), False),
        ("booking_name", reading("where are you?", "clinic_locations", confidence=0.85), True),
        # Red flags, stop and asking for a person always interrupt.
        (
            "booking_times",
            reading("my legs are getting weaker", "emergency_symptoms", red_flag=True),
            True,
        ),
        (
            "booking_contact",
            reading("555-0100 and I can't control my bladder", "book_appointment", red_flag=True),
            True,
        ),
        ("booking_times", reading("cancel booking", "stop"), True),
        # ...but a free-text answer the classifier is unsure about is still the answer.
        ("booking_times", reading("whenever", "stop", confidence=0.61), False),
        ("booking_times", reading("mon after 5", "emergency_symptoms", confidence=0.62), False),
        ("booking_reason", reading("let me talk to a person", "talk_to_human"), True),
    ],
)
def test_what_interrupts_the_form(slot: str, message: flow.Reading, expected: bool) -> None:
    assert flow.interrupts(slot, message) is expected


def test_contact_answers_are_normalised_or_get_a_specific_reask() -> None:
    assert flow.validate_contact("(303) 555-0123") == ("+13035550123", None)
    assert flow.validate_contact("Jane@Example.COM") == ("Jane@example.com", None)
    value, problem = flow.validate_contact("303-555-012")
    assert value is None and "9 digits" in problem


def test_location_must_be_one_of_the_clinics() -> None:
    clinic = get_knowledge().clinic
    assert flow.validate_location(clinic, "lafayette") == ("lafayette", None)
    value, problem = flow.validate_location(clinic, "Denver")
    assert value is None and "Boulder or Lafayette" in problem


def test_sms_offers_the_senders_number_masked() -> None:
    response, values = flow.contact_question("twilio", "+13035550123")
    question = DOMAIN["responses"][response][0]
    text = question["text"].format(**values)
    assert "+1 ***-***-0123" in text and "+13035550123" not in text
    assert question["buttons"] == [{"title": "Yes, use this number", "payload": "/affirm"}]
    response, values = flow.contact_question("rest", "abc")
    question = DOMAIN["responses"][response][0]
    assert "phone number or email" in question["text"] and not question.get("buttons")


def test_summary_lists_every_field_with_the_clinic_name() -> None:
    summary = flow.summary_text(
        {
            "booking_name": "Jane",
            "booking_contact": "+13035550123",
            "booking_location": "boulder",
            "booking_times": "mornings",
            "booking_reason": None,
        },
        get_knowledge().clinic,
    )
    assert "Clinic: Boulder" in summary and "Reason: (not given)" in summary
    assert "Shall I send it" in summary


@pytest.mark.parametrize("answer", ["yes", "No", "ok.", "12345", "/affirm"])
def test_yes_no_and_payloads_are_not_names(answer: str) -> None:
    assert flow.validate_name(answer)[0] is None


def test_a_contact_with_neither_digits_nor_at_sign_gets_a_plain_reask() -> None:
    value, problem = flow.validate_contact("no")
    assert value is None and "phone number" in problem and "email" in problem


# --- issue 10: yes/no steps read what the patient types there ---------------------------------


def summary_reply(text: str, intent: str | None = None, confidence: float = 0.5):
    return flow.read_summary_reply(reading(text, intent, confidence))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yes, confirm", "affirm"),
        # The classifier reads "confirm" as an existing appointment; the summary step knows better.
        ("confirm", "manage_appointment"),
        ("Confirm and send", "nlu_fallback"),
        ("yes confirm", "nlu_fallback"),
        ("looks good", "nlu_fallback"),
        ("send it", "nlu_fallback"),
        ("go ahead", "affirm"),
        ("👍", "nlu_fallback"),
        ("Yes please send it to the clinic, thanks!", "thank"),
        ("/affirm", "affirm"),
    ],
)
def test_typed_confirmations_send_the_request(text: str, intent: str) -> None:
    assert summary_reply(text, intent) == flow.SummaryReply(flow.SEND)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, change the time", flow.SummaryReply(flow.CHANGE, "booking_times")),
        ("wrong number", flow.SummaryReply(flow.CHANGE, "booking_contact")),
        ("nope, my name is spelled wrong", flow.SummaryReply(flow.CHANGE, "booking_name")),
        ("I need to change something", flow.SummaryReply(flow.CHANGE)),
        ("no", flow.SummaryReply(flow.REFUSE)),
        ("don't send it", flow.SummaryReply(flow.DISCARD)),
        ("never mind", flow.SummaryReply(flow.DISCARD)),
        ("hmm maybe", flow.SummaryReply(flow.UNCLEAR)),
        ("purple", flow.SummaryReply(flow.UNCLEAR)),
        # Both a yes and a no: not a guess, the bot asks again.
        ("no, that's right", flow.SummaryReply(flow.UNCLEAR)),
    ],
)
def test_refusals_changes_and_unclear_replies_at_the_summary(text: str, expected) -> None:
    assert summary_reply(text, "nlu_fallback") == expected


def test_questions_and_red_flags_at_the_summary_are_left_to_the_rules() -> None:
    assert summary_reply("what did the study find?", "study_findings", 0.95) is None
    assert summary_reply("can I talk to a person", "talk_to_human", 0.95) is None
    red_flag = reading("yes but I can't feel my legs", "emergency_symptoms", red_flag=True)
    assert flow.read_summary_reply(red_flag) is None
    # "ok" inside a question is not a yes.
    assert summary_reply("is it ok to come with a sore knee?", "out_of_scope", 0.9) == (
        flow.SummaryReply(flow.UNCLEAR)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"),
        ("yep that's me", "yes"),
        ("👍", "yes"),
        ("wrong number", "no"),
        ("no", "no"),
        ("303-555-0199", None),  # a number typed there is the answer itself
        ("jane@example.com", None),
    ],
)
def test_is_this_number_right(text: str, expected: str | None) -> None:
    assert flow.sms_number_reply(reading(text, "nlu_fallback", 0.5)) == expected


def test_an_unclear_reply_is_asked_again_with_the_buttons_live() -> None:
    text, buttons = flow.confirm_prompt(flow.UNCLEAR, {}, get_knowledge().clinic)
    assert "NOT been sent" in text and buttons == flow.summary_buttons()
    text, buttons = flow.confirm_prompt(flow.REFUSE, {}, get_knowledge().clinic)
    assert "haven't sent it" in text
    assert {"title": "Discard this request", "payload": "/stop"} in buttons


def test_summary_shows_a_phone_in_the_national_format() -> None:
    summary = flow.summary_text(
        {"booking_name": "Jane", "booking_contact": "+13035550123"}, get_knowledge().clinic
    )
    assert "Phone or email: (303) 555-0123" in summary and "+1303" not in summary
