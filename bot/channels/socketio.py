"""Rasa's socket.io channel for the website chat widget, with the checks every channel applies.

Rasa's own channel accepts connections from any web page (``cors_allowed_origins=[]`` turns
python-socketio's origin check off), trusts whatever the client sends as text, session id and
metadata, and forwards ``custom`` payloads as keyword arguments to ``emit`` (so a payload such as
``{"answer_id": ..., "sources": [...]}`` raises instead of reaching the page). This channel:

* accepts socket.io connections only from the page origins in settings (``WEB_ALLOWED_ORIGINS``);
* passes each message through :func:`bot.channels.input_guard.guard_text`: empty or oversized
  text gets a reply on the socket and is not processed;
* sends ``custom`` payloads as ``{"custom": payload}``, the shape the REST channel uses;
* issues conversation ids itself (issue 15): a new connection gets a random id and a token
  signed with the server's secret key; a page that presents a valid token rejoins that
  conversation (across reloads, ``session_persistence``), and anything else (an id without a
  token, a forged or expired token) starts a new, empty conversation. Knowing a conversation's
  id is therefore not enough to read or act in it.
"""

from __future__ import annotations

import json
import logging
import uuid
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.input_guard import guard_text
from bot.channels.replies import check_replies, sorry_reply
from bot.settings import get_settings
from bot.staff.config import staff_secret_key

logger = logging.getLogger(__name__)

# Signed conversation tokens: a salt of their own (the key is shared with the staff app's
# cookies), and a lifetime renewed at each rejoin, so a long-idle tab starts afresh.
SESSION_SALT = "mend.widget.conversation"
SESSION_MAX_AGE_SECONDS = 24 * 60 * 60
MAX_TOKEN_CHARS = 200


def allowed_origins() -> list[str]:
    """The page origins allowed to open a socket, from settings.

    An empty list would switch python-socketio's origin check off entirely, so it is refused.
    """
    origins = [origin.rstrip("/") for origin in get_settings().web_allowed_origins]
    if not origins:
        raise ValueError(
            "WEB_ALLOWED_ORIGINS lists no origins: set it to the pages that embed the chat "
            "widget, e.g. https://www.example-clinic.com"
        )
    return origins


def secret_key() -> str:
    """The key that signs conversation tokens: the staff app's key (``STAFF_SECRET_KEY``, the
    same value on every Rasa server when scaled out, else the one generated into the data dir)."""
    return staff_secret_key()


class ConversationTokens:
    """Issues conversation ids with signed tokens, and reads the id back from a valid token."""

    def __init__(self, key: str, max_age: int = SESSION_MAX_AGE_SECONDS) -> None:
        self._signer = TimestampSigner(key, salt=SESSION_SALT)
        self._max_age = max_age

    def issue(self, conversation_id: str | None = None) -> tuple[str, str]:
        """A (conversation id, token) pair: a new random id unless one is given."""
        conversation_id = conversation_id or uuid.uuid4().hex
        return conversation_id, self._signer.sign(conversation_id).decode()

    def conversation_of(self, token: Any) -> str | None:
        """The id a token was issued for, or None if it is missing, forged or expired."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
            return None
        try:
            return self._signer.unsign(token, max_age=self._max_age).decode()
        except (BadSignature, UnicodeDecodeError):
            return None


class GuardedSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, with ``custom`` payloads sent whole as ``{"custom": ...}``."""

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


MAX_METADATA_CHARS = 1024


class GuardedSocketIOInput(SocketIOInput):
    """The socket.io channel (``/socket.io`` on the Rasa server) the chat widget connects to."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> GuardedSocketIOOutput | None:
        if self.sio is None:
            return super().get_output_channel()  # warns, returns None
        return GuardedSocketIOOutput(self.sio, self.bot_message_evt)

    async def _conversation_id(self, sid: str) -> str | None:
        """The conversation this connection was given in its session request.

        Bound to the connection, not read from each message, so a client cannot post into (or
        listen to) a conversation it did not open.
        """
        if not self.session_persistence:
            return sid
        session = await self.sio.get_session(sid, namespace=self.namespace)
        return session.get("conversation_id")

    def _metadata(self, data: dict[str, Any]) -> dict[str, Any]:
        metadata = data.get(self.metadata_key)
        if not isinstance(metadata, dict) or len(json.dumps(metadata)) > MAX_METADATA_CHARS:
            return {}
        return metadata

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        check_replies()  # a broken messages.yml stops start-up, not a patient's turn
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=allowed_origins())
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        output = GuardedSocketIOOutput(sio, self.bot_message_evt)
        tokens = ConversationTokens(secret_key())

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            # Only the signed token counts; a bare "session_id" (Rasa's protocol) is ignored.
            presented = data.get("token") if isinstance(data, dict) else None
            rejoined = tokens.conversation_of(presented) if self.session_persistence else None
            session_id, token = tokens.issue(rejoined)
            await sio.save_session(sid, {"conversation_id": session_id}, namespace=self.namespace)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            confirm = {"session_id": session_id, "token": token, "new": rejoined is None}
            await sio.emit("session_confirm", confirm, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            conversation_id = await self._conversation_id(sid)
            if conversation_id is None:
                logger.warning("socket.io message before a session request was ignored")
                return
            try:
                guarded = guard_text(data.get("message"))
                if guarded.reply:
                    await output.send_text_message(conversation_id, guarded.reply)
                    return
                message = UserMessage(
                    guarded.text,
                    output,
                    conversation_id,
                    input_channel=self.name(),
                    metadata=self._metadata(data),
                )
                await on_new_message(message)
            except (CancelledError, Exception):
                logger.exception("socket.io message failed (conversation %s)", conversation_id[:8])
                await output.send_text_message(conversation_id, sorry_reply())

        return socketio_webhook
