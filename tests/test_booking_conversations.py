"""Booking and handoff conversations over REST, checked against the database (issue 3)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.conftest import texts
from tests.support.live_bot import start_live_bot


def new_sender() -> str:
    return f"book-{uuid.uuid4().hex[:12]}"


def rows(bot, table: str, sender: str) -> list[dict]:
    engine = sa.create_engine(bot.database_url)
    with engine.connect() as connection:
        result = connection.execute(
            sa.text(f"select * from {table} where conversation_id = :sender"),
            {"sender": f"rest:{sender}"},  # REST conversations are namespaced
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
    assert "Jane Doe" in summary and "+13035550123" in summary and "Lafayette" in summary
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
    assert "nothing was sent" in chat(live_bot, sender, "cancel booking")
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
    reply = chat(live_bot, sender, "can I talk to a real person")
    handoffs = rows(live_bot, "handoff_requests", sender)
    assert len(handoffs) == 1
    assert "555-01" in reply and handoffs[0]["reference"] in reply
    assert handoffs[0]["channel"] == "rest"


def test_a_failed_write_is_never_reported_as_sent(tmp_path) -> None:
    bot = start_live_bot(tmp_path / "bot")
    try:
        sender = "db-down"
        chat(bot, sender, "book an appointment", "Pat", "303-555-0142", "Boulder", "any time")
        summary = chat(bot, sender, "sciatica")
        assert "Shall I send it" in summary
        engine = sa.create_engine(bot.database_url)
        with engine.begin() as connection:  # the bookings table becomes unwritable
            connection.execute(sa.text("alter table booking_requests rename to booking_requests_x"))
        reply = chat(bot, sender, "/affirm")
        assert "NOT been sent" in reply and "555-0100" in reply
        assert "reference is" not in reply
    finally:
        bot.stop()


def test_a_question_at_the_summary_does_not_lose_the_request(live_bot) -> None:
    sender = new_sender()
    chat(live_bot, sender, "book an appointment", "Lee Park", "lee@example.com", "Boulder")
    assert "Shall I send it" in chat(live_bot, sender, "weekends", "hip pain")
    chat(live_bot, sender, "what did the study find")
    summary = chat(live_bot, sender, "yes")
    assert "Lee Park" in summary and "Shall I send it" in summary


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
    assert "can't tell what is causing your pain" in chat(live_bot, sender, "what's wrong with my back")
