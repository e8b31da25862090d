"""A REST caller cannot open another channel's conversation by naming it (issue 15, item 1)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.conftest import texts
from tests.staff.eventgen import Turn, conversation, save_with_rasa

PATIENT_NAME = "Pat Zebrafinch"


def _events(bot, sender_id: str) -> int:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("select count(*) from events where sender_id = :s"), {"s": sender_id}
            ).scalar_one()
    finally:
        engine.dispose()


def _widget_conversation_with_a_booking_draft(bot) -> str:
    """A widget-style conversation (id as the widget makes them) holding a patient's draft."""
    from rasa.shared.core.events import SlotSet

    widget_id = uuid.uuid4().hex
    events = conversation(1_700_000_000.0, [Turn("I'd like to book", "book_appointment")])
    events += [
        SlotSet("booking_name", PATIENT_NAME),
        SlotSet("booking_contact", "+13035550142"),
        SlotSet("booking_reason", "numb groin after lifting"),
    ]
    save_with_rasa(bot.database_url, {widget_id: events})
    return widget_id


def test_rest_sender_naming_a_widget_conversation_gets_a_new_one(live_bot) -> None:
    widget_id = _widget_conversation_with_a_booking_draft(live_bot)
    before = _events(live_bot, widget_id)
    reply = live_bot.send(widget_id, "book an appointment")
    assert reply.status_code == 200
    shown = texts(reply.json())
    assert PATIENT_NAME not in shown and "0142" not in shown and "groin" not in shown
    assert _events(live_bot, widget_id) == before  # nothing read from or written to it
    assert all(message["recipient_id"] == widget_id for message in reply.json())


def test_rest_conversations_keep_working_under_their_own_name(live_bot) -> None:
    sender = f"trial-{uuid.uuid4().hex[:8]}"
    assert "not a diagnosis" in texts(live_bot.send(sender, "hi").json())
    live_bot.send(sender, "why do you check my hips")
    assert _events(live_bot, f"rest:{sender}") > 0


def test_rest_cannot_forge_another_namespace(live_bot) -> None:
    for forged in ("+13035550111", "rest:other", "socketio:abc", "tel:3035550111"):
        assert live_bot.send(forged, "hi").status_code == 400, forged
