"""A patient's whole conversation by SMS against the real bot (Rasa + actions + trained model).

Twilio's side is played by this test: it signs each webhook with ``RequestValidator`` for the
public URL and records what the bot sends through a local stand-in for Twilio's REST API.
"""

from __future__ import annotations

import json
import tarfile
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from .helpers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CLINIC_NUMBER,
    PATIENT,
    PUBLIC_URL,
    WEBHOOK_PATH,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODEL = PROJECT_ROOT / "models" / "mend.tar.gz"

pytestmark = [
    pytest.mark.timeout(600),
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model in models/ (run make train)"),
]


class Phone:
    """The patient's phone: texts the bot through the signed webhook, reads what comes back."""

    def __init__(self, rasa_url: str, twilio_api, number: str) -> None:
        self.url = rasa_url + WEBHOOK_PATH
        self.twilio_api = twilio_api
        self.number = number
        self.validator = RequestValidator(AUTH_TOKEN)

    def text(self, body: str) -> list[str]:
        """Send ``body``; return the texts the bot sent back for it."""
        before = len(self.twilio_api.bodies(self.number))
        form = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT_SID,
            "From": self.number,
            "To": CLINIC_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        signature = self.validator.compute_signature(PUBLIC_URL, form)
        response = httpx.post(
            self.url, data=form, headers={"X-Twilio-Signature": signature}, timeout=90
        )
        assert response.status_code == 200, response.text
        return self.twilio_api.bodies(self.number)[before:]


def _model_has_booking_form() -> bool:
    """The model's own domain decides what the live bot can do, not domain.yml on disk."""
    with tarfile.open(MODEL) as archive:
        for member in archive:
            if member.name.endswith("domain_provider/domain.yml"):
                return b"booking_form" in archive.extractfile(member).read()
    return False


def _events(database_url: str, sender: str) -> list[dict]:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).all()
    engine.dispose()
    return [{"type": row.type_name, **json.loads(row.data)} for row in rows]


def test_faq_by_sms(sms_bot, session_twilio):
    phone = Phone(sms_bot.rasa_url, session_twilio, "+17205550111")

    greeting = " ".join(phone.text("hi"))
    assert "not a diagnosis" in greeting
    assert "Reply with a number:\n1) Why check my hips if my back hurts?" in greeting

    # "1" picks the first option offered: why the therapist checks the hips.
    answer = phone.text("1")
    assert answer, "the bot sent nothing"
    assert all(len(body) <= 1600 for body in answer)
    joined = "\n".join(answer)
    assert "hip" in joined.lower()
    assert "Source: Kim & Shin, Med Sci Monit 2020 — https://doi.org/10.12659/MSM.925080" in joined
    assert "Sources:" not in joined and "**" not in joined
    assert "Reply with a number:\n1) " in joined

    # The conversation is stored under the patient's number, marked as SMS.
    uttered = [e for e in _events(sms_bot.database_url, phone.number) if e["type"] == "user"]
    assert [e["text"] for e in uttered] == ["hi", "/why_check_hips"]
    assert all(e["input_channel"] == "twilio" for e in uttered)
    assert uttered[-1]["metadata"]["sms_from"] == phone.number


def test_stop_and_start_with_the_live_bot(sms_bot, session_twilio):
    phone = Phone(sms_bot.rasa_url, session_twilio, "+17205550112")

    [confirmation] = phone.text("STOP")
    assert "unsubscribed" in confirmation
    assert phone.text("why do you check my hips?") == []
    assert "subscribed" in " ".join(phone.text("START"))
    assert phone.text("why do you check my hips?")


def test_faq_then_booking_by_sms_with_the_senders_number(sms_bot, session_twilio):
    """A patient asks a question, then books, accepting the number they text from."""
    if not _model_has_booking_form():
        pytest.skip("the trained model in models/ has no booking form yet (make train)")
    phone = Phone(sms_bot.rasa_url, session_twilio, PATIENT)

    answer = "\n".join(phone.text("why do you check my hips when my back hurts?"))
    assert "Source: Kim & Shin, Med Sci Monit 2020" in answer

    # Answer whatever the form asks next, the way a patient would, until the request is sent.
    reply = "\n".join(phone.text("I'd like to book an appointment"))
    seen, transcript = [], [reply]
    for _ in range(8):
        if "Here's your appointment request" in reply:
            assert "(303) 555-0142" in reply and "Lafayette" in reply  # national format (issue 10)
            assert "Reply 1 for Confirm and send" in reply
            seen.append("summary")
            answer = "1"
        elif "texting from" in reply:
            assert "+1 ***-***-0142" in reply  # the sender's own number, offered (masked)
            assert "Reply 1 for Yes, use this number" in reply
            seen.append("contact")
            answer = "1"
        elif "name" in reply.lower() and "?" in reply:
            answer = "Jane Doe"
        elif "Which clinic" in reply:
            assert "1 for Boulder" in reply and "2 for Lafayette" in reply
            answer = "2"
        elif "days and times" in reply:
            answer = "weekday mornings"
        elif "help with" in reply:
            answer = "my lower back"
        else:
            break
        reply = "\n".join(phone.text(answer))
        transcript += [f">>> {answer}", reply]
    assert seen == ["contact", "summary"], "\n".join(transcript)
    assert "reference" in reply.lower()

    engine = sa.create_engine(sms_bot.database_url)
    with engine.connect() as connection:
        booking = connection.execute(
            sa.text(
                "SELECT name, contact_kind, contact_value, clinic_location, channel, "
                "conversation_id "
                "FROM booking_requests WHERE conversation_id = :number"
            ),
            {"number": PATIENT},
        ).one()
    engine.dispose()
    assert booking.name == "Jane Doe"
    assert (booking.contact_kind, booking.contact_value) == ("phone", PATIENT)
    assert booking.clinic_location == "lafayette"
    assert (booking.channel, booking.conversation_id) == ("twilio", PATIENT)
