"""The guard in Rasa's NLU pipeline, and the words of the urgent advice."""

from __future__ import annotations

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from bot.channels.input_guard import guard_text
from bot.channels.payloads import is_button_payload
from bot.knowledge import get_knowledge
from bot.safety.detector import assess, get_detector
from bot.safety.guard import EMERGENCY_PAYLOAD, RedFlagGuard
from bot.safety.replies import urgent_reply
from bot.settings import PROJECT_ROOT


def parsed(
    text: str, intent: str = "book_appointment", confidence: float = 0.93, runner_up: str = "greet"
) -> Message:
    """A message as the classifiers left it (``runner_up`` second), then through the guard."""
    message = Message(data={"text": text})
    ranking = [
        {"name": intent, "confidence": confidence},
        {"name": runner_up, "confidence": round(1 - confidence, 2)},
    ]
    message.set("intent", dict(ranking[0]))
    message.set("intent_ranking", ranking)
    message.set("entities", [])
    RedFlagGuard({}).process([message])
    return message


def entity(message: Message, name: str) -> list[str]:
    return [e["value"] for e in message.get("entities") if e["entity"] == name]


@pytest.mark.parametrize("intent", ["stop", "deny", "affirm", "inform", "book_appointment"])
def test_a_symptom_is_never_swallowed_by_a_short_command(intent: str) -> None:
    message = parsed("cant hold my urine anymore, stop", intent=intent, confidence=0.99)
    assert message.get("intent") == {"name": "emergency_symptoms", "confidence": 1.0}
    # The classifier's guess stays visible for staff review.
    assert intent in [entry["name"] for entry in message.get("intent_ranking")]
    assert "incontinence" in entity(message, "red_flag")
    assert message.get("safety")["patterns"] is True


def test_the_finished_advice_rides_in_the_message_for_the_domain_response() -> None:
    message = parsed("I have a fever and I can't feel my groin")
    reply = entity(message, "urgent_reply")[0]
    assert "numbness around the private parts or bottom" in reply and "a fever or chills" in reply
    assert "call 911" in reply.lower() and "emergency room now" in reply  # tier 1 wins
    assert get_knowledge().clinic.phone in reply
    assert "https://doi.org/10.2519/jospt.2020.9971" in reply
    assert entity(message, "urgency_tier") == ["1"]


def test_tier_two_alone_gets_see_a_doctor_today() -> None:
    reply = entity(parsed("I've had chills and a fever since Monday"), "urgent_reply")[0]
    assert "see a doctor today" in reply and "911" not in reply


def test_the_classifier_alone_can_raise_the_alarm_with_the_general_list() -> None:
    message = parsed("my undercarriage feels like cardboard since the fall", "greet")
    assert message.get("intent")["name"] == "emergency_symptoms"
    assert entity(message, "red_flag") == ["unspecified"]
    assert "Call 911 now if you have" in entity(message, "urgent_reply")[0]
    assert message.get("safety")["classifier"] and not message.get("safety")["patterns"]


def test_tier_2_words_that_sound_like_tier_1_get_the_911_list() -> None:
    """The patterns hear pain at night; the classifier's tier model hears a numb bottom."""
    message = parsed("hard to describe but my butt feels like it went to sleep and wont wake up")
    assert message.get("safety")["tier_from_classifier"] is True
    assert entity(message, "urgency_tier") == ["1"]
    assert "Call 911 now if you have" in entity(message, "urgent_reply")[0]
    plain_night_pain = parsed("back pain worse at night, wakes me up")
    assert entity(plain_night_pain, "urgency_tier") == ["2"]
    assert plain_night_pain.get("safety")["tier_from_classifier"] is False


def test_a_denied_red_flag_is_answered_with_one_safety_line() -> None:
    message = parsed(
        "no fever, why do you check my hips", "emergency_symptoms", 0.3, runner_up="why_check_hips"
    )
    assert message.get("intent") == {"name": "why_check_hips", "confidence": 0.7}
    assert entity(message, "red_flag") == []
    note = entity(message, "red_flag_mention")[0]
    assert note.startswith("If you ever have a fever or chills") and "doctor the same day" in note


def test_someone_elses_red_flag_does_not_override_the_question() -> None:
    message = parsed("my son has a fever, can I move my visit", intent="manage_appointment")
    assert message.get("intent")["name"] == "manage_appointment"
    assert entity(message, "red_flag_mention")


def test_only_a_whole_button_payload_skips_the_check() -> None:
    assert is_button_payload("/book_appointment")
    assert is_button_payload('/change_booking_field{"booking_field": "booking_times"}')
    assert not is_button_payload('/greet{"body_part":"x"} I lost control of my bladder')
    assert not is_button_payload("/@ my groin is numb")
    assert parsed("/book_appointment").get("intent")["name"] == "book_appointment"


@pytest.mark.parametrize(
    "typed", ['/greet{"body_part":"x"} I lost control of my bladder', "//  my groin is numb"]
)
def test_text_after_a_slash_reaches_the_safety_net_as_words(typed: str) -> None:
    text = guard_text(typed).text
    assert not text.startswith("/")
    assert parsed(text).get("intent")["name"] == "emergency_symptoms"


def test_a_too_long_message_with_a_red_flag_still_gets_the_named_advice() -> None:
    long_text = "my back has hurt for weeks. " * 100 + "Also I can't control my bladder."
    text = guard_text(long_text).text
    assert text.startswith(EMERGENCY_PAYLOAD + "{")
    assert "loss of bladder or bowel control" in text
    assert "too long" in guard_text("word " * 1000).reply


def test_the_general_list_in_domain_matches_the_safety_rules() -> None:
    """utter_urgent's fallback variation says what red_flags.yml's general reply says."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    fallback = next(v for v in domain["responses"]["utter_urgent"] if v.get("condition"))
    general = urgent_reply(get_detector().rules, get_knowledge(), ()).text.split("\n\n")[0]
    assert fallback["text"] == general


def test_every_label_reads_as_plain_words() -> None:
    for flag in get_detector().rules.flags:
        assert "_" not in flag.label and flag.label[0].islower(), flag.id
    assert assess("").findings == ()
