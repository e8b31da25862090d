"""STOP, START and HELP behave the way patients and carriers expect, and opt-outs persist."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.knowledge import get_knowledge
from bot.sms.channel import TwilioSmsInput

from .helpers import PATIENT, FakeBot, SmsClient, reset_caches, start_channel

pytestmark = pytest.mark.asyncio

OTHER_PATIENT = "+17205550123"


async def test_stop_confirms_once_and_then_nothing_is_sent(sms, bot, twilio_api):
    await sms.text("hello")
    await sms.text("STOP")
    await sms.text("stop")
    await sms.text("are you still there?")

    bodies = twilio_api.bodies()
    assert bodies[0] == "You said: hello"
    assert len(bodies) == 2, bodies
    assert "unsubscribed" in bodies[1] and "START" in bodies[1]
    assert bot.texts == ["hello"]  # messages after STOP never reach the bot


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", " end ", "QUIT"])
async def test_every_carrier_opt_out_word_opts_out(sms, bot, twilio_api, word):
    await sms.text(word)
    await sms.text("hello")

    [confirmation] = twilio_api.bodies()
    assert "unsubscribed" in confirmation
    assert bot.received == []


async def test_cancel_inside_a_sentence_is_an_ordinary_message(sms, bot, twilio_api):
    await sms.text("cancel my appointment please")

    assert bot.texts == ["cancel my appointment please"]
    assert twilio_api.bodies() == ["You said: cancel my appointment please"]


async def test_start_resubscribes_and_confirms(sms, bot, twilio_api):
    await sms.text("STOP")
    await sms.text("START")
    await sms.text("hello again")

    bodies = twilio_api.bodies()
    assert len(bodies) == 3
    assert "subscribed" in bodies[1] and "STOP" in bodies[1]
    assert bodies[2] == "You said: hello again"
    assert bot.texts == ["hello again"]


async def test_unstop_also_resubscribes(sms, bot, twilio_api):
    await sms.text("STOP")
    await sms.text("unstop")
    await sms.text("hi")

    assert bot.texts == ["hi"]


async def test_help_gives_the_clinic_name_phone_and_how_to_opt_out(sms, bot, twilio_api):
    await sms.text("HELP")

    clinic = get_knowledge().clinic
    [reply] = twilio_api.bodies()
    assert clinic.name in reply
    assert clinic.phone in reply
    assert "STOP" in reply
    assert bot.received == []


async def test_opt_out_is_per_number(sms, bot, twilio_api):
    await sms.text("STOP")
    await sms.text("hello", sender=OTHER_PATIENT)

    assert twilio_api.bodies(OTHER_PATIENT) == ["You said: hello"]


async def test_opt_out_survives_a_restart(database_url, sms_settings, sms, twilio_api):
    await sms.text("STOP")
    reset_caches()  # a new process: no cached engine or settings

    restarted_bot = FakeBot()
    async with await start_channel(TwilioSmsInput(sms_settings), restarted_bot) as http:
        await SmsClient(http).text("hello?")
        # Rasa sending on its own (e.g. a reminder) goes through the same check.
        output = TwilioSmsInput(sms_settings).get_output_channel()
        await output.send_text_message(PATIENT, "A reminder from the clinic")

    assert len(twilio_api.bodies()) == 1  # only the STOP confirmation
    assert restarted_bot.received == []


async def test_opt_out_is_stored_where_staff_review_reads_it(database_url, sms, twilio_api):
    await sms.text("STOP")
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        out = connection.execute(
            sa.text("SELECT phone_e164, opted_out_at, opted_in_at FROM sms_opt_outs")
        ).all()
    await sms.text("START")
    with engine.connect() as connection:
        back_in = connection.execute(
            sa.text("SELECT opted_in_at FROM sms_opt_outs WHERE phone_e164 = :p"), {"p": PATIENT}
        ).scalar_one()
    engine.dispose()

    assert len(out) == 1
    assert out[0].phone_e164 == PATIENT and out[0].opted_out_at is not None
    assert out[0].opted_in_at is None
    assert back_in is not None


async def test_old_message_ids_can_be_forgotten_but_recent_ones_still_block_replays(
    database_url, sms, bot, capsys
):
    from bot.cli import main
    from bot.sms.models import SmsInboundMessage

    old_form = sms.form("old message")
    await sms.post(old_form)
    recent_form = sms.form("recent message")
    await sms.post(recent_form)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.update(SmsInboundMessage.__table__)
            .where(SmsInboundMessage.__table__.c.message_sid == old_form["MessageSid"])
            .values(received_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
        )
    engine.dispose()

    main(["sms", "forget-processed", "--older-than", "30"])
    await sms.post(recent_form)

    assert "forgot 1 " in capsys.readouterr().out
    assert bot.texts == ["old message", "recent message"]
