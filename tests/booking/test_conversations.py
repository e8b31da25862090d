"""Booking and handoff conversations over REST, checked against the database (issue 3)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import texts


def new_sender() -> str:
    return f"book-{uuid.uuid4().hex[:12]}"


def rows(bot, table: str, sender: str) -> list[dict]:
    """The stored rows of a conversation: REST senders are namespaced, SMS ones are the number."""
    conversation = sender if sender.startswith("+") else f"rest:{sender}"
    engine = sa.create_engine(bot.database_url)
    with engine.connect() as connection:
        result = connection.execute(
            sa.text(f"select * from {table} where conversation_id = :sender"),
            {"sender": conversation},
        )
        return [dict(row._mapping) for row in result]


def chat(bot, sender: str, *messages: str) -> str:
    """Send messages in order; return the text of the last reply."""
    reply = ""
    for message in messages:
        response = bot.send(sender, message)
        assert response.status_code == 200
        reply = texts(response.json())
    return reply


def test_happy_path_with_a_wrong_number_and_a_question_in_between(live_bot) -> None:
    sender = new_sender()
    assert "request an appointment" in chat(live_bot, sender, "how soon should I get treated")
    assert "What name" in chat(live_bot, sender, "yes")
    assert "phone number or email" in chat(live_bot, sender, "Jane Doe")
    assert "9 digits" in chat(live_bot, sender, "303-555-012")
    assert "Which clinic" in chat(live_bot, sender, "303 555 0123")
    # A health question in the middle is answered with its sources, then the form goes on.
    interruption = live_bot.send(sender, "why do you check my hips").json()
    assert any("custom" in message for message in interruption)
    assert "Which clinic" in texts(interruption)
    assert "days and times" in chat(live_bot, sender, "Lafayette")
    summary = chat(live_bot, sender, "weekday mornings")
    assert "Jane Doe" in summary and "(303) 555-0123" in summary and "Lafayette" in summary
    assert "Reason: low back pain" in summary  # prefilled from the topic discussed
    confirmation = chat(live_bot, sender, "/affirm")
    stored = rows(live_bot, "booking_requests", sender)
    assert len(stored) == 1
    assert stored[0]["reference"] in confirmation
    assert stored[0]["status"] == "new" and stored[0]["channel"] == "rest"
    assert stored[0]["clinic_location"] == "lafayette"
    assert stored[0]["preferred_times"] == "weekday mornings"
    # A double tap on Confirm does not create a second request.
    chat(live_bot, sender, "/affirm")
    assert len(rows(live_bot, "booking_requests", sender)) == 1


def test_change_a_field_before_confirming(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "I'd like to book in Boulder", "Sam Lee", "sam@example.com")
    chat(live_bot, sender, "Mondays after 5", "stiff lower back")
    assert "What would you like to change" in chat(live_bot, sender, "/change_booking")
    assert "days and times" in chat(
        live_bot, sender, '/change_booking_field{"booking_field": "booking_times"}'
    )
    summary = chat(live_bot, sender, "Friday morning")
    assert "Friday morning" in summary and "Mondays after 5" not in summary
    chat(live_bot, sender, "/affirm")
    (stored,) = rows(live_bot, "booking_requests", sender)
    assert stored["preferred_times"] == "Friday morning"
    assert stored["clinic_location"] == "boulder"
    assert stored["contact_kind"] == "email" and stored["contact_value"] == "sam@example.com"


def test_cancel_stores_nothing(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "book an appointment", "Alex")
    assert "nothing was sent" in chat(live_bot, sender, "cancel booking").lower()
    assert rows(live_bot, "booking_requests", sender) == []
    # The form is really over: a name-like message is not taken as a booking answer.
    assert "Here's your appointment request" not in chat(live_bot, sender, "303-555-0100")


def test_red_flag_mid_form_ends_it_with_urgent_advice(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "book an appointment", "Robin")
    urgent = chat(live_bot, sender, "my legs are getting weaker fast")
    assert "911" in urgent
    assert "phone number" not in urgent  # the form does not carry on in the same turn
    assert "Here's your appointment request" not in chat(live_bot, sender, "Boulder")
    assert rows(live_bot, "booking_requests", sender) == []


def test_talk_to_a_person_is_recorded_once_per_request(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "can I talk to a real person")
    reply = chat(live_bot, sender, "just give me the number")
    handoffs = rows(live_bot, "handoff_requests", sender)
    assert len(handoffs) == 1
    assert "555-01" in reply and handoffs[0]["reference"] in reply
    assert handoffs[0]["channel"] == "rest"
    chat(live_bot, sender, "can I talk to a real person", "no thanks")
    assert len(rows(live_bot, "handoff_requests", sender)) == 1


def test_a_failed_write_is_never_reported_as_sent(live_bot) -> None:
    bot = live_bot
    sender = new_sender()
    chat(bot, sender, "book an appointment", "Pat", "303-555-0142", "Boulder", "any time")
    summary = chat(bot, sender, "sciatica")
    assert "Shall I send it" in summary
    engine = sa.create_engine(bot.database_url)
    with engine.begin() as connection:  # the bookings table becomes unwritable
        connection.execute(sa.text("alter table booking_requests rename to booking_requests_x"))
    try:
        reply = chat(bot, sender, "/affirm")
    finally:  # the shared bot's table is back for the other tests
        with engine.begin() as connection:
            connection.execute(sa.text("alter table booking_requests_x rename to booking_requests"))
        engine.dispose()
    assert "NOT been sent" in reply and "555-0100" in reply
    assert "reference is" not in reply


def test_a_question_at_the_summary_does_not_lose_the_request(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "book an appointment", "Lee Park", "lee@example.com", "Boulder")
    assert "Shall I send it" in chat(live_bot, sender, "weekends", "hip pain")
    # The question is answered and the summary comes back with it; then "yes" sends it.
    summary = chat(live_bot, sender, "what did the study find")
    assert "Lee Park" in summary and "Shall I send it" in summary
    assert "reference is" in chat(live_bot, sender, "yes")
    assert len(rows(live_bot, "booking_requests", sender)) == 1


def test_after_sending_the_answers_cannot_be_shown_again(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "book an appointment", "Maria Lopez", "720-555-0143", "Boulder")
    chat(live_bot, sender, "tuesday mornings", "back pain", "/affirm")
    reply = chat(live_bot, sender, '/change_booking_field{"booking_field": "booking_times"}')
    assert "Maria" not in reply and "0143" not in reply
    reply = chat(live_bot, sender, "Friday")
    assert "Maria" not in reply and "0143" not in reply


def test_existing_appointments_and_diagnoses_are_referred_to_people(live_bot) -> None:
    sender = new_sender()
    assert "can't see or change existing appointments" in chat(
        live_bot, sender, "can i reschedule my appointment"
    )
    assert rows(live_bot, "booking_requests", sender) == []
    assert "can't tell what is causing your pain" in chat(
        live_bot, sender, "what's wrong with my back"
    )


# --- issue 10: typed answers at the summary, handoffs staff can act on ------------------------


def to_summary(bot, sender: str, contact: str = "303 555 0123") -> str:
    """A whole booking up to the summary; returns the summary."""
    chat(bot, sender, "book an appointment", "Jane Doe", contact, "Boulder", "weekday mornings")
    summary = chat(bot, sender, "sore lower back")
    assert "Shall I send it" in summary
    return summary


def buttons(bot, sender: str, message: str) -> tuple[str, list[str]]:
    reply = bot.send(sender, message).json()
    titles = [button["title"] for item in reply for button in item.get("buttons", [])]
    return texts(reply), titles


@pytest.mark.parametrize(
    "typed",
    [
        "yes, confirm",
        "confirm",
        "Confirm and send",
        "yes confirm",
        "looks good",
        "send it",
        "go ahead",
        "\U0001f44d",
    ],
)
def test_a_typed_confirmation_at_the_summary_sends_the_request(live_bot, typed: str) -> None:
    sender = new_sender()
    to_summary(live_bot, sender)
    reply = chat(live_bot, sender, typed)
    [stored] = rows(live_bot, "booking_requests", sender)
    assert f"Your reference is {stored['reference']}" in reply
    assert stored["contact_value"] == "+13035550123"


def test_a_refusal_then_a_change_then_yes(live_bot) -> None:
    sender = new_sender()
    to_summary(live_bot, sender)
    assert "days and times" in chat(live_bot, sender, "no, change the time")
    summary = chat(live_bot, sender, "Friday afternoon")
    assert "Friday afternoon" in summary and "weekday mornings" not in summary
    assert rows(live_bot, "booking_requests", sender) == []
    chat(live_bot, sender, "yes")
    [stored] = rows(live_bot, "booking_requests", sender)
    assert stored["preferred_times"] == "Friday afternoon"


def test_wrong_number_at_the_summary_asks_for_the_number_again(live_bot) -> None:
    sender = new_sender()
    to_summary(live_bot, sender)
    assert "phone number or email" in chat(live_bot, sender, "wrong number")
    assert "(720) 555-0144" in chat(live_bot, sender, "720 555 0144")
    chat(live_bot, sender, "confirm")
    [stored] = rows(live_bot, "booking_requests", sender)
    assert stored["contact_value"] == "+17205550144"


def test_a_plain_no_says_nothing_was_sent_and_offers_change_or_discard(live_bot) -> None:
    sender = new_sender()
    to_summary(live_bot, sender)
    text, titles = buttons(live_bot, sender, "no")
    assert "haven't sent it" in text and "Discard this request" in titles
    assert "nothing was sent" in chat(live_bot, sender, "/stop").lower()
    assert rows(live_bot, "booking_requests", sender) == []


def test_an_unclear_reply_at_the_summary_asks_again_with_the_buttons_then_a_button(
    live_bot,
) -> None:
    sender = new_sender()
    to_summary(live_bot, sender)
    text, titles = buttons(live_bot, sender, "hmm purple")
    assert "NOT been sent" in text
    assert titles == ["Confirm and send", "Change something", "Discard this request"]
    assert rows(live_bot, "booking_requests", sender) == []
    reply = chat(live_bot, sender, "/affirm")
    [stored] = rows(live_bot, "booking_requests", sender)
    assert stored["reference"] in reply


def test_an_invalid_email_is_re_asked_once(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "book an appointment", "Jane Doe")
    reply = live_bot.send(sender, "jane@example").json()
    said = texts(reply)
    assert len(reply) == 1, said  # the problem and nothing else, not the question as well
    assert "needs a dot" in said and "What's the best phone number" not in said
    assert "Which clinic" in chat(live_bot, sender, "jane@example.com")


def test_handoff_on_the_web_asks_for_a_contact_and_stores_it(live_bot) -> None:
    sender = new_sender()
    text, titles = buttons(live_bot, sender, "can I talk to a real person")
    assert "phone number or email" in text and titles == ["Just give me the number"]
    assert rows(live_bot, "handoff_requests", sender) == []  # nothing stored without an answer
    problem, titles = buttons(live_bot, sender, "303-555-01")
    assert "8 digits" in problem and rows(live_bot, "handoff_requests", sender) == []
    assert titles == ["Just give me the number"]  # the re-ask keeps the way out
    reply = chat(live_bot, sender, "my number is (303) 555-0123")
    [stored] = rows(live_bot, "handoff_requests", sender)
    assert (stored["contact_kind"], stored["contact_value"]) == ("phone", "+13035550123")
    assert "contact you at (303) 555-0123" in reply and stored["reference"] in reply


def test_handoff_on_the_web_without_a_contact_gives_the_clinic_phone(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "I want to speak to someone")
    reply = chat(live_bot, sender, "/deny")
    [stored] = rows(live_bot, "handoff_requests", sender)
    assert stored["contact_value"] is None
    assert "(303) 555-0100" in reply and "can't get back to you" in reply
    assert "contact you" not in reply


def test_a_question_at_the_handoff_prompt_is_answered_not_taken_as_skipping(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "I'd like to talk to a person")
    answer, titles = buttons(live_bot, sender, "why would a therapist check my hips?")
    assert "hip" in answer.lower() and "phone number or email" in answer
    assert titles[-1] == "Just give me the number"  # asked again, the way out still there
    assert rows(live_bot, "handoff_requests", sender) == []  # not stored as "no contact"
    reply = chat(live_bot, sender, "jane@example.com")
    [stored] = rows(live_bot, "handoff_requests", sender)
    assert stored["contact_value"] == "jane@example.com"
    assert "contact you at jane@example.com" in reply


def test_handoff_during_a_booking_uses_the_contact_already_given(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "book an appointment", "Jane Doe", "jane@example.com")
    reply = chat(live_bot, sender, "can I talk to a real person")
    [stored] = rows(live_bot, "handoff_requests", sender)
    assert stored["contact_value"] == "jane@example.com"
    assert "contact you at jane@example.com" in reply and "Which clinic" in reply


def test_handoff_by_sms_uses_the_senders_number_without_asking(sms_bot, session_twilio) -> None:
    from tests.sms.test_sms_end_to_end import Phone

    bot, twilio = sms_bot, session_twilio
    phone = Phone(bot.rasa_url, twilio, "+17205550161")
    reply = "\n".join(phone.text("can I talk to a real person"))
    [stored] = rows(bot, "handoff_requests", phone.number)
    assert (stored["channel"], stored["contact_value"]) == ("twilio", phone.number)
    assert "contact you at (720) 555-0161" in reply and stored["reference"] in reply
    assert "What's the best phone number" not in reply


def test_sms_wrong_number_then_a_typed_confirmation(sms_bot, session_twilio) -> None:
    from tests.sms.test_sms_end_to_end import Phone

    bot, twilio = sms_bot, session_twilio
    phone = Phone(bot.rasa_url, twilio, "+17205550162")
    phone.text("I'd like to book an appointment")
    assert "texting from" in "\n".join(phone.text("Jane Doe"))
    other = "\n".join(phone.text("no, wrong number"))
    assert "What phone number or email" in other and "Reply 1" not in other
    phone.text("303 555 0123")
    phone.text("Boulder")
    phone.text("weekday mornings")
    summary = "\n".join(phone.text("sore back"))
    assert "(303) 555-0123" in summary
    reply = "\n".join(phone.text("yes, confirm"))
    [stored] = rows(bot, "booking_requests", phone.number)
    assert stored["contact_value"] == "+13035550123" and stored["reference"] in reply
