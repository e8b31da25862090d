"""Replies are written for a phone: plain text, numbered choices, short sources, split safely."""

from __future__ import annotations

import logging
import re

import pytest

from bot.channels.replies import empty_reply, sorry_reply
from bot.sms.channel import TwilioSmsInput
from bot.sms.formatting import MAX_SMS_CHARS

from .helpers import BOOK_BUTTONS, LONG_ANSWER, PATIENT, FakeBot, SmsClient, start_channel

pytestmark = pytest.mark.asyncio


async def test_answer_turn_is_one_plain_text_with_source_lines_and_numbered_choices(
    sms, twilio_api
):
    await sms.text("why do hips matter")

    [body] = twilio_api.bodies()
    assert body == (
        "Stiff hips can make your lower back do extra work.\n\n"
        "Source: Mend PT blog, May 23 2023 — https://mend.example/blog/hips\n"
        "Source: Kim & Shin, Med Sci Monit 2020 — https://doi.org/10.12659/MSM.925080\n\n"
        "Anything else I can help with?\n"
        "Reply 1 for Clinic locations or 2 for Request an appointment."
    )
    assert "Sources:" not in body and "**" not in body


async def test_a_number_picks_the_option_offered(sms, bot, twilio_api):
    await sms.text("book")
    await sms.text("2")

    assert twilio_api.bodies()[0] == (
        "Which clinic would suit you best?\nReply 1 for Boulder or 2 for Lafayette."
    )
    assert bot.texts == ["book", BOOK_BUTTONS[1]["payload"]]


async def test_the_option_title_also_picks_it(sms, bot):
    await sms.text("book")
    await sms.text("boulder")

    assert bot.texts[-1] == BOOK_BUTTONS[0]["payload"]


async def test_numbers_mean_nothing_special_once_the_choices_are_gone(sms, bot):
    await sms.text("book")
    await sms.text("hello")  # a reply without buttons
    await sms.text("1")

    assert bot.texts == ["book", "hello", "1"]


async def test_a_number_out_of_range_goes_to_the_bot_as_typed(sms, bot):
    await sms.text("book")
    await sms.text("7")

    assert bot.texts[-1] == "7"


async def test_choices_work_whichever_rasa_server_gets_the_reply(sms, bot, sms_settings):
    await sms.text("book")
    other_bot = FakeBot()
    async with await start_channel(TwilioSmsInput(sms_settings), other_bot) as other_http:
        await SmsClient(other_http).text("1")

    assert other_bot.texts == [BOOK_BUTTONS[0]["payload"]]


async def test_long_reply_is_split_between_sentences(sms, twilio_api):
    await sms.text("tell me everything")

    bodies = twilio_api.bodies()
    assert len(bodies) >= 3
    assert all(len(body) <= MAX_SMS_CHARS for body in bodies)
    assert all(body.endswith(".") for body in bodies)
    assert all(re.match(r"Sentence number \d+ ", body) for body in bodies)
    assert " ".join(bodies) == LONG_ANSWER


async def test_empty_text_gets_a_clear_reply_without_bothering_the_bot(sms, bot, twilio_api):
    await sms.text("   ")

    assert twilio_api.bodies() == [empty_reply()]
    assert bot.received == []


async def test_a_failing_bot_still_answers_the_patient(sms, twilio_api):
    await sms.text("boom")

    assert twilio_api.bodies() == [sorry_reply()]


async def test_twilio_refusing_a_message_does_not_break_the_webhook(sms, bot, twilio_api):
    twilio_api.fail_with = 400

    response = await sms.text("hello")

    assert response.status_code == 200
    assert bot.texts == ["hello"]


async def test_phone_numbers_never_appear_in_full_in_logs(sms, twilio_api, caplog):
    caplog.set_level(logging.DEBUG)
    twilio_api.fail_with = 400
    await sms.text("hello")
    twilio_api.fail_with = None
    await sms.text("STOP")
    await sms.text("hello")
    await sms.text("boom")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "0142" in logged  # the masked form is there, so the check below is meaningful
    assert PATIENT not in logged and PATIENT[2:] not in logged and PATIENT[1:] not in logged
