"""Urgent advice as patients get it: over REST and SMS, mid-booking, with the action server down.

The session's SMS bot (Rasa + action server, SQLite, SMS enabled against a local stand-in for
Twilio; tests/conftest.py). The last tests stop the action server: urgent advice must still
arrive; it is started again for the tests that follow.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
import yaml
from twilio.request_validator import RequestValidator

from tests.conftest import texts
from tests.sms.helpers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CLINIC_NUMBER,
    PUBLIC_URL,
    WEBHOOK_PATH,
)
from tests.support.live_bot import PROJECT_ROOT

REASON_QUESTION = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"][
    "utter_ask_booking_reason"
][0]["text"]
FORM_ANSWERS = [
    ("name", "Jane Doe"),
    ("phone", "303-555-0123"),
    ("right", "yes"),
    ("clinic", "Boulder"),
    ("days and times", "weekday mornings"),
]


@pytest.fixture(scope="module")
def bot(sms_bot):
    yield sms_bot
    sms_bot.restart_actions()  # the last tests stopped it


def new_sender() -> str:
    return f"urgent-{uuid.uuid4().hex[:10]}"


def say(bot, sender: str, text: str) -> list[dict]:
    response = bot.send(sender, text)
    assert response.status_code == 200
    return response.json()


def urgent_payload(reply: list[dict]) -> dict | None:
    return next((m["custom"] for m in reply if m.get("custom", {}).get("type") == "urgent"), None)


def test_two_red_flags_are_both_named_with_the_highest_tiers_advice(bot) -> None:
    reply = say(bot, new_sender(), "i have had a fever since monday and now i cant feel my groin")
    text = texts(reply)
    assert "a fever or chills" in text and "numbness around the private parts or bottom" in text
    assert "call 911 or go to the nearest emergency room now" in text.lower()
    assert "Source: IFOMPT red-flags framework" in text
    payload = urgent_payload(reply)
    assert payload and payload["tier"] == "1" and payload["level"] == "emergency"
    # The same advice came first as text (for every channel), then as the widget's payload.
    # Rasa sends each paragraph as its own message.
    assert all(part in text for part in payload["text"].split("\n\n"))


def test_a_tier_two_red_flag_gets_see_a_doctor_today(bot) -> None:
    reply = say(bot, new_sender(), "Im on steroid tablets long term and my back started hurting")
    assert "see a doctor today" in texts(reply).lower()
    assert "911" not in urgent_payload(reply)["text"]
    assert urgent_payload(reply)["tier"] == "2"


def test_no_fever_with_a_hip_question_is_answered_with_one_safety_line(bot) -> None:
    sender = new_sender()
    say(bot, sender, "hi")
    reply = say(
        bot, sender, "no fever or anything, but why do you check my hips when my back hurts"
    )
    text = texts(reply)
    assert any(m.get("custom", {}).get("type") == "citations" for m in reply), text
    assert "If you ever have a fever or chills, see a doctor the same day." in text
    assert urgent_payload(reply) is None and "emergency room" not in text


def test_a_red_flag_in_the_booking_reason_ends_the_form_with_urgent_advice(bot) -> None:
    sender = new_sender()
    reply = say(bot, sender, "I'd like to book an appointment")
    for _ in range(8):
        question = texts(reply).lower()
        if REASON_QUESTION.lower() in question:
            break
        answer = next((a for key, a in FORM_ANSWERS if key in question), "Jane Doe")
        reply = say(bot, sender, answer)
    else:
        pytest.fail(f"the form never asked for the reason: {texts(reply)}")
    reply = say(bot, sender, "my back, and I keep wetting myself since yesterday")
    assert urgent_payload(reply)["tier"] == "1"
    assert "loss of bladder or bowel control" in texts(reply)
    # The form is over: the next message is not taken as a booking answer.
    after = texts(say(bot, sender, "thanks"))
    assert REASON_QUESTION not in after and "confirm" not in after.lower()


def test_a_symptom_after_a_button_payload_is_still_heard(bot) -> None:
    reply = say(bot, new_sender(), '/greet{"body_part":"x"} I lost control of my bladder')
    assert urgent_payload(reply)["tier"] == "1"


def test_a_red_flag_by_sms_gets_the_advice_in_plain_text(bot, session_twilio) -> None:
    number = "+17205550177"
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": ACCOUNT_SID,
        "From": number,
        "To": CLINIC_NUMBER,
        "Body": "cnt pee since last nite and my back is killing me",
        "NumMedia": "0",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, form)
    response = httpx.post(
        bot.rasa_url + WEBHOOK_PATH,
        data=form,
        headers={"X-Twilio-Signature": signature},
        timeout=90,
    )
    assert response.status_code == 200
    sms = "\n".join(session_twilio.bodies(number))
    assert "new trouble peeing" in sms and "911" in sms
    assert "Source: IFOMPT red-flags framework" in sms


def test_urgent_advice_arrives_with_the_action_server_down(bot) -> None:
    """Stops the action server for good: keep this test last in the module."""
    actions = bot.processes[1]
    actions.terminate()
    actions.wait(timeout=20)
    reply = say(bot, new_sender(), "my legs are both going numb and weak")
    assert "pain, numbness or weakness in both legs" in texts(reply)
    assert urgent_payload(reply)["tier"] == "1"


def test_health_answers_arrive_with_the_action_server_down(bot) -> None:
    """Runs after the test above (the action server is gone): the disclaimer that starts a
    conversation and a cited health answer are built inside the Rasa server."""
    assert bot.processes[1].poll() is not None
    sender = new_sender()
    greeting = texts(say(bot, sender, "hi"))
    assert "not a diagnosis" in greeting.lower() or "education" in greeting.lower()
    answer = texts(say(bot, sender, "why would a therapist check my hips when my back hurts?"))
    assert "hip" in answer.lower()
    assert "doi.org" in answer and "Source" in answer
    assert "something went wrong" not in answer.lower()
