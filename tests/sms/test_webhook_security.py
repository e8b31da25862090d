"""Only requests Twilio signed for our public URL are processed, and each message only once."""

from __future__ import annotations

import pytest

from bot.sms.channel import TwilioSmsInput
from bot.sms.settings import SmsSettings

from .helpers import (
    CLINIC_NUMBER,
    PATIENT,
    PUBLIC_URL,
    FakeBot,
    SmsClient,
    start_channel,
)

pytestmark = pytest.mark.asyncio


async def test_signed_message_reaches_the_bot_and_the_reply_is_texted_back(sms, bot, twilio_api):
    response = await sms.text("hello there")

    assert response.status_code == 200
    assert "<Response></Response>" in response.text
    assert response.headers["content-type"].startswith("text/xml")
    [message] = bot.received
    assert message.text == "hello there"
    assert message.sender_id == PATIENT  # staff review finds SMS conversations by number
    assert message.input_channel == "twilio"
    assert message.metadata["sms_from"] == PATIENT  # the booking form offers this number
    [sent] = twilio_api.sent
    assert (sent.to, sent.from_, sent.body) == (PATIENT, CLINIC_NUMBER, "You said: hello there")


async def test_wrong_signature_is_refused_and_not_processed(sms, bot, twilio_api):
    form = sms.form("hello")
    other = SmsClient(sms.http, token="someone-elses-token")

    response = await sms.post(form, signature=other.sign(form))

    assert response.status_code == 403
    assert bot.received == [] and twilio_api.sent == []


async def test_missing_signature_is_refused(sms, bot, twilio_api):
    response = await sms.post(sms.form("hello"), signature=None)

    assert response.status_code == 403
    assert bot.received == [] and twilio_api.sent == []


async def test_signature_for_a_changed_message_is_refused(sms, bot):
    form = sms.form("book")
    signature = sms.sign(form)
    form["Body"] = "STOP"

    response = await sms.post(form, signature=signature)

    assert response.status_code == 403
    assert bot.received == []


async def test_signature_must_be_for_the_public_url_not_the_proxied_one(sms, bot):
    form = sms.form("hello")
    signed_for_inner_url = sms.sign(form, url="http://testserver/webhooks/twilio/webhook")

    response = await sms.post(form, signature=signed_for_inner_url)

    assert response.status_code == 403
    assert bot.received == []


async def test_without_an_auth_token_every_request_is_refused(database_url, sms_settings, bot):
    settings = SmsSettings(
        account_sid=sms_settings.account_sid,
        auth_token=None,
        twilio_number=CLINIC_NUMBER,
        public_url=PUBLIC_URL,
        api_base=sms_settings.api_base,
    )
    async with await start_channel(TwilioSmsInput(settings), bot) as http:
        client = SmsClient(http)  # signs with a token the server does not have
        response = await client.text("hello")
        empty_signature = await client.post(client.form("hello"), signature="")

    assert response.status_code == 403 and empty_signature.status_code == 403
    assert bot.received == []


async def test_replayed_message_sid_is_acknowledged_but_processed_once(sms, bot, twilio_api):
    form = sms.form("hello", sid="SM" + "a" * 32)

    first = await sms.post(form)
    replay = await sms.post(form)

    assert first.status_code == 200 and replay.status_code == 200
    assert "<Response></Response>" in replay.text
    assert len(bot.received) == 1
    assert len(twilio_api.sent) == 1


async def test_retry_reaching_another_rasa_server_is_processed_once(
    sms, bot, sms_settings, twilio_api
):
    """Two servers share the database: the MessageSid is claimed there, not in memory."""
    form = sms.form("hello", sid="SM" + "b" * 32)
    other_bot = FakeBot()
    async with await start_channel(TwilioSmsInput(sms_settings), other_bot) as other_http:
        first = await sms.post(form)
        second = await SmsClient(other_http).post(form)

    assert first.status_code == second.status_code == 200
    assert len(bot.received) + len(other_bot.received) == 1
    assert len(twilio_api.sent) == 1


async def test_from_credentials_reads_the_environment(monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-from-env")
    monkeypatch.setenv("TWILIO_NUMBER", CLINIC_NUMBER)
    monkeypatch.setenv("TWILIO_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.delenv("TWILIO_API_BASE", raising=False)

    channel = TwilioSmsInput.from_credentials(None)

    assert channel.name() == "twilio"
    assert channel.settings.auth_token == "token-from-env"
    assert channel.settings.public_url == PUBLIC_URL
    assert channel.settings.api_base is None
