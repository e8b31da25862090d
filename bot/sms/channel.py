"""Patients texting the clinic: the Twilio SMS channel at ``/webhooks/twilio/webhook``.

Rasa's own ``TwilioInput`` trusts every request, processes retries twice, sends markdown and
buttons a phone cannot show, and logs phone numbers. This channel (same name, so the same
webhook path):

- refuses every request when no auth token is set, and checks each request's
  ``X-Twilio-Signature`` against ``TWILIO_PUBLIC_URL`` (the address Twilio posts to; the bot
  runs behind a proxy) - a missing or wrong signature gets 403 and is not processed;
- acknowledges a replayed ``MessageSid`` without processing it again (the database decides, so
  this holds across several Rasa servers);
- handles the carrier keywords (STOP/START/HELP, see :mod:`bot.sms.keywords`) and sends nothing
  to a number that opted out;
- writes replies for a phone (:mod:`bot.sms.formatting`): one turn's messages become one text,
  buttons a numbered list a reply of "1", "2"... picks from, citations one line per source,
  split so no message exceeds Twilio's 1,600 characters.

The conversation id (Rasa's sender_id) is the patient's E.164 number, and every message carries
``metadata={"sms_from": "+1..."}`` so the booking form can offer that number as the contact.
Replies are sent through Twilio's REST API, not in the webhook's TwiML response.
"""

from __future__ import annotations

import asyncio
import logging
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.input_guard import guard_text
from bot.channels.replies import check_replies, sorry_reply
from bot.knowledge import get_knowledge
from bot.privacy import mask_phone
from bot.sms import keywords, store
from bot.sms.formatting import (
    button_options,
    citation_lines,
    is_citation_text,
    numbered_prompt,
    picked_option,
    plain_text,
    split_message,
)
from bot.sms.settings import TWILIO_API_HOST, SmsSettings

logger = logging.getLogger(__name__)
# Twilio's client logs every request's URL and headers at INFO: noise, so warnings only.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _twiml_ok() -> HTTPResponse:
    """Twilio needs a 200 with TwiML; an empty <Response> means "no reply from this request"."""
    return response.text(EMPTY_TWIML, status=200, content_type="text/xml")


def _forbidden() -> HTTPResponse:
    return response.text("forbidden", status=403)


class ApiBaseHttpClient(TwilioHttpClient):
    """Twilio's HTTP client with ``https://api.twilio.com`` replaced by another base URL.

    The Twilio client builds absolute URLs on api.twilio.com; tests point them at a local
    server that stands in for Twilio (``TWILIO_API_BASE``).
    """

    def __init__(self, api_base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API_HOST):
            url = self.api_base + url[len(TWILIO_API_HOST) :]
        return super().request(method, url, *args, **kwargs)


def make_client(settings: SmsSettings) -> Client:
    http_client = (
        ApiBaseHttpClient(settings.api_base, timeout=10)
        if settings.api_base
        else TwilioHttpClient(timeout=10)
    )
    return Client(settings.account_sid, settings.auth_token, http_client=http_client)


class TwilioSmsOutput(OutputChannel):
    """Sends the bot's messages as SMS through Twilio's REST API.

    ``buffered=True`` (incoming messages): the turn's messages are collected and sent as one
    text by :meth:`flush`, which also remembers the numbered options offered. Unbuffered (Rasa
    sending on its own, e.g. a triggered intent): each message is sent at once.
    """

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(self, settings: SmsSettings, buffered: bool = False) -> None:
        self.settings = settings
        self.buffered = buffered
        self.parts: list[str] = []
        self.offered: list[dict[str, str]] = []
        self._client: Client | None = None

    # --- what Rasa calls ---------------------------------------------------------------

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if is_citation_text(text):
            return  # the citations payload that follows becomes short source lines instead
        await self._emit(recipient_id, plain_text(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        options = button_options(buttons)
        body = "" if is_citation_text(text) else plain_text(text or "")
        prompt = numbered_prompt(options)
        self.offered = options
        if not self.buffered:
            await asyncio.to_thread(store.save_options, recipient_id, options)
        await self._emit(recipient_id, f"{body}\n{prompt}".strip())

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Citations become one line per source; other custom payloads are not for phones."""
        lines = citation_lines(json_message)
        if lines:
            await self._emit(recipient_id, "\n".join(lines))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._emit(recipient_id, image)

    # --- sending -----------------------------------------------------------------------

    def add(self, text: str) -> None:
        if text and text.strip():
            self.parts.append(text.strip())

    async def _emit(self, recipient_id: str, text: str) -> None:
        if self.buffered:
            self.add(text)
        elif text and text.strip():
            await self.deliver(recipient_id, text)

    async def flush(self, recipient_id: str) -> None:
        """Send the collected turn as one text (split if long) and remember its options."""
        body, self.parts = "\n\n".join(self.parts), []
        await asyncio.to_thread(store.save_options, recipient_id, self.offered)
        if body:
            await self.deliver(recipient_id, body)

    async def deliver(self, recipient_id: str, body: str, force: bool = False) -> None:
        """Send ``body`` unless the number opted out (``force`` only for the opt-out's receipt)."""
        if not force and await asyncio.to_thread(store.is_opted_out, recipient_id):
            logger.info("SMS to %s not sent: number opted out", mask_phone(recipient_id))
            return
        if not self.settings.can_send:
            logger.error(
                "SMS to %s not sent: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER "
                "must all be set",
                mask_phone(recipient_id),
            )
            return
        for chunk in split_message(body):
            await asyncio.to_thread(self._send_one, recipient_id, chunk)

    def _send_one(self, recipient_id: str, body: str) -> None:
        try:
            if self._client is None:
                self._client = make_client(self.settings)
            self._client.messages.create(
                to=recipient_id, from_=self.settings.twilio_number, body=body
            )
        except TwilioRestException as error:
            logger.error(
                "SMS to %s failed: Twilio error %s (HTTP %s)",
                mask_phone(recipient_id),
                error.code,
                error.status,
            )
        except Exception as error:  # noqa: BLE001 - network trouble must not break the chat
            logger.error("SMS to %s failed: %s", mask_phone(recipient_id), type(error).__name__)


class TwilioSmsInput(InputChannel):
    """The webhook Twilio posts incoming texts to (``/webhooks/twilio/webhook``)."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Secrets come from the environment; credentials.yml only names the channel."""
        settings = SmsSettings.from_env()
        if not settings.can_receive:
            logger.warning("TWILIO_AUTH_TOKEN is not set: the SMS channel refuses every request")
        elif not settings.public_url:
            logger.warning(
                "TWILIO_PUBLIC_URL is not set: signatures are checked against the URL this "
                "server sees, which fails behind a proxy"
            )
        return cls(settings)

    def __init__(self, settings: SmsSettings | None = None) -> None:
        self.settings = settings or SmsSettings.from_env()

    def get_output_channel(self, buffered: bool = False) -> TwilioSmsOutput:
        return TwilioSmsOutput(self.settings, buffered=buffered)

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return {
            "sms_from": request.form.get("From"),
            "twilio_message_sid": request.form.get("MessageSid"),
        }

    def is_signed(self, request: Request) -> bool:
        """True if the request carries Twilio's signature for our URL and its form fields."""
        signature = request.headers.get("X-Twilio-Signature")
        if not self.settings.auth_token or not signature:
            return False
        url = self.settings.public_url or request.url
        return RequestValidator(self.settings.auth_token).validate(url, request.form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        check_replies()  # a broken messages.yml stops start-up, not a patient's turn
        webhook = Blueprint(f"sms_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_signed(request):
                logger.warning("SMS webhook request refused: missing or invalid signature")
                return _forbidden()
            sender = (request.form.get("From") or "").strip()
            message_sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
            if not sender or not message_sid:
                return response.text("From and MessageSid are required", status=400)
            if not E164.match(sender):
                logger.info("SMS webhook: ignored a message from a non-phone address")
                return _twiml_ok()
            if not await asyncio.to_thread(store.claim_message, message_sid.strip()):
                logger.info("SMS %s from %s already processed", message_sid, mask_phone(sender))
                return _twiml_ok()
            await self.handle(
                sender,
                request.form.get("Body"),
                message_sid.strip(),
                self.get_metadata(request),
                on_new_message,
            )
            return _twiml_ok()

        return webhook

    async def handle(
        self,
        sender: str,
        body: str | None,
        message_sid: str,
        metadata: dict[str, Any] | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """One verified, first-time text: keywords first, then the bot."""
        output = self.get_output_channel(buffered=True)
        clinic = get_knowledge().clinic
        keyword = keywords.keyword_of(body)
        if keyword == keywords.OPT_OUT:
            if await asyncio.to_thread(store.opt_out, sender):
                logger.info("SMS opt-out recorded for %s", mask_phone(sender))
                await asyncio.to_thread(store.save_options, sender, [])
                await output.deliver(sender, keywords.opt_out_reply(clinic), force=True)
            return
        if keyword == keywords.OPT_IN:
            if await asyncio.to_thread(store.opt_in, sender):
                logger.info("SMS opt-in recorded for %s", mask_phone(sender))
            await output.deliver(sender, keywords.opt_in_reply(clinic))
            return
        if await asyncio.to_thread(store.is_opted_out, sender):
            logger.info("SMS from opted-out %s not processed", mask_phone(sender))
            return
        if keyword == keywords.HELP:
            await output.deliver(sender, keywords.help_reply(clinic))
            return
        guarded = guard_text(body)
        if guarded.reply:
            await output.deliver(sender, guarded.reply)
            return
        text = guarded.text
        option = picked_option(text, await asyncio.to_thread(store.load_options, sender))
        if option:
            text = option["payload"]
        try:
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    sender,
                    input_channel=self.name(),
                    message_id=message_sid,
                    metadata=metadata,
                )
            )
        except CancelledError:
            logger.error("SMS from %s timed out", mask_phone(sender))
            output.add(sorry_reply())
        except Exception:
            logger.exception("SMS from %s failed", mask_phone(sender))
            output.add(sorry_reply())
        await output.flush(sender)
