"""Rasa's REST channel (``/webhooks/rest/webhook``) with checks on what clients send.

Rasa's own channel answers a JSON array or a missing sender with a 500 and logs the patient's
text on failures. This one answers malformed requests with a 400 that says what is wrong,
answers empty or oversized messages with a clear reply, and logs no message text.

REST is the channel for integrations and local trials, and its callers name their own senders.
So that naming one can never open someone else's conversation (issue 15), a REST sender lives in
its own namespace: sender ``me`` is the conversation ``rest:me``. Widget ids and SMS numbers
never contain ``:``, and REST senders may not either, so no REST caller reaches them. With
``REST_API_TOKEN`` set, every request must also carry ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.input_guard import guard_text
from bot.channels.overload import Overloaded, message_slot, overloaded_response
from bot.channels.replies import check_replies, sorry_reply
from bot.settings import setting

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
# Letters, digits, "-" and "_" only: no "+" (SMS conversations are phone numbers) and no ":" (so
# a sender cannot forge another namespace); the conversation is then CONVERSATION_PREFIX + sender.
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_METADATA_CHARS = 1024
# Conversation ids of REST senders start with this; the ":" keeps them apart from every other
# channel's ids (widget ids are letters, digits, "-" and "_"; SMS ids are "+" and digits).
CONVERSATION_PREFIX = "rest:"


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": "bad_request", "reason": reason}, status=400)


def conversation_id(sender: str) -> str:
    """The conversation (Rasa sender id) a REST sender's messages go to."""
    return CONVERSATION_PREFIX + sender


def api_token() -> str | None:
    """``REST_API_TOKEN``, read per request so a changed setting needs no code path of its own."""
    return setting.text("REST_API_TOKEN")


def _authorised(request: Request) -> bool:
    """True when no token is configured, or the request carries it as a bearer token."""
    token = api_token()
    if token is None:
        return True
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _unauthorised() -> HTTPResponse:
    return response.json(
        {"error": "unauthorized", "reason": "send the REST API token as 'Authorization: Bearer'"},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="mend-rest"'},
    )


def _parse_body(request: Request) -> dict[str, Any] | str:
    """The JSON object in the body, or (a string) the reason it is not acceptable."""
    try:
        body = request.json
    except InvalidUsage:  # what Sanic raises for malformed JSON and binary bodies
        return "the body must be a JSON object"
    if not isinstance(body, dict):
        return 'the body must be a JSON object such as {"sender": "id", "message": "hi"}'
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' is required: a string that identifies the conversation"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be at most {MAX_SENDER_CHARS} characters"
    if not SENDER_PATTERN.match(sender.strip()):
        return "'sender' may contain only letters, digits, '-' and '_'"
    if "message" in body and body["message"] is not None and not isinstance(body["message"], str):
        return "'message' must be a string"
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return "'metadata' must be a JSON object"
    if metadata and len(json.dumps(metadata)) > MAX_METADATA_CHARS:
        return f"'metadata' must be at most {MAX_METADATA_CHARS} characters of JSON"
    return body


class GuardedRestInput(RestInput):
    """The REST channel patients' clients (and tests) post to."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        check_replies()  # a broken messages.yml stops start-up, not a patient's turn
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not _authorised(request):
                return _unauthorised()
            body = _parse_body(request)
            if isinstance(body, str):
                return _bad_request(body)
            sender = body["sender"].strip()
            guarded = guard_text(body.get("message"))
            if guarded.reply:
                return response.json([{"recipient_id": sender, "text": guarded.reply}])
            collector = CollectingOutputChannel()
            try:
                async with message_slot(guarded.text):  # bounded queue, red flags first
                    await on_new_message(
                        UserMessage(
                            guarded.text,
                            collector,
                            conversation_id(sender),
                            input_channel=self.name(),
                            metadata=body.get("metadata"),
                        )
                    )
            except Overloaded as busy:
                return overloaded_response(busy)  # 503 + Retry-After, never an empty 200
            except CancelledError:
                logger.error("REST message timed out (conversation %s)", sender[:8])
                return response.json([{"recipient_id": sender, "text": sorry_reply()}])
            except Exception:
                logger.exception("REST message failed (conversation %s)", sender[:8])
                return response.json([{"recipient_id": sender, "text": sorry_reply()}])
            # Clients see the sender they named, not the namespaced conversation id.
            return response.json([{**m, "recipient_id": sender} for m in collector.messages])

        return webhook
