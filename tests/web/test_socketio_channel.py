"""The socket.io channel as a client sees it: origins, guarded input, payload shape, sessions.

Runs against ``echo_server.py`` (the real ``GuardedSocketIOInput`` with a scripted bot), so no
model or browser is needed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets

from bot.channels.input_guard import EMPTY_REPLY
from bot.channels.socketio import SORRY_REPLY


class Chat:
    """A minimal socket.io v5 client over a WebSocket, as a browser on the page would connect.

    (python-socketio's own client needs a newer aiohttp than Rasa allows for WebSockets, and its
    long-polling transport takes up to 30 s to disconnect.)
    """

    def __init__(self, connection: websockets.WebSocketClientProtocol) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, rasa_url: str, origin: str) -> Chat:
        url = rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        connection = await websockets.connect(url, origin=origin, open_timeout=10)
        chat = cls(connection)
        assert (await chat._packet()).startswith("0")  # engine.io open
        await connection.send("40")  # socket.io connect to namespace "/"
        assert (await chat._packet()).startswith("40")
        return chat

    async def _packet(self) -> str:
        while True:
            packet = await asyncio.wait_for(self.connection.recv(), 10)
            if packet == "2":  # engine.io ping
                await self.connection.send("3")
                continue
            return packet

    async def emit(self, event: str, data: Any) -> None:
        await self.connection.send("42" + json.dumps([event, data]))

    async def event(self, name: str, timeout: float = 10) -> Any:
        while True:
            packet = await asyncio.wait_for(self._packet(), timeout)
            if packet.startswith("42"):
                event, *args = json.loads(packet[2:])
                if event == name:
                    return args[0] if args else None

    async def start(self, session_id: Any = None) -> str:
        await self.emit("session_request", {"session_id": session_id})
        return await self.event("session_confirm")

    async def say(self, session_id: str, text: Any, count: int = 1) -> list[dict[str, Any]]:
        await self.emit("user_uttered", {"message": text, "session_id": session_id})
        return [await self.event("bot_uttered") for _ in range(count)]

    async def close(self) -> None:
        await self.connection.close()


@pytest_asyncio.fixture
async def chat(echo_site) -> AsyncIterator[Chat]:
    chat = await Chat.open(echo_site.rasa_url, echo_site.origin)
    yield chat
    await chat.close()


def polling_handshake(rasa_url: str, origin: str) -> httpx.Response:
    return httpx.get(
        f"{rasa_url}/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": origin},
        timeout=10,
    )


def test_page_origin_in_settings_may_connect(echo_site):
    response = polling_handshake(echo_site.rasa_url, echo_site.origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == echo_site.origin


def test_other_origins_are_refused(echo_site):
    response = polling_handshake(echo_site.rasa_url, "http://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.asyncio
async def test_other_origins_cannot_open_a_websocket(echo_site):
    with pytest.raises(websockets.InvalidStatusCode):
        await Chat.open(echo_site.rasa_url, "http://evil.example")


@pytest.mark.asyncio
async def test_custom_payload_arrives_whole(chat):
    session = await chat.start()
    answer, sources_text, custom = await chat.say(session, "/answer", count=3)
    assert answer["text"].startswith("Your hips")
    assert sources_text["text"].startswith("Sources:")
    assert custom["custom"]["answer_id"] == "why_check_hips"
    assert custom["custom"]["sources"][0]["doi_url"] == "https://doi.org/10.12659/MSM.925080"


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", ["", "   ", None, 42, {"text": "hi"}])
async def test_empty_or_non_text_message_gets_a_reply(chat, bad):
    session = await chat.start()
    [reply] = await chat.say(session, bad)
    assert reply == {"text": EMPTY_REPLY}


@pytest.mark.asyncio
async def test_too_long_message_gets_a_reply_and_is_not_processed(chat):
    session = await chat.start()
    [reply] = await chat.say(session, "back pain " * 300)
    assert "too long" in reply["text"]
    # The conversation carries on normally afterwards.
    [echo] = await chat.say(session, "hello")
    assert echo["text"].startswith("You said: hello")


@pytest.mark.asyncio
async def test_failure_in_the_bot_gets_an_apology_not_silence(chat):
    session = await chat.start()
    [reply] = await chat.say(session, "/fail")
    assert reply == {"text": SORRY_REPLY}


@pytest.mark.asyncio
async def test_session_continues_across_connections(echo_site, chat):
    session = await chat.start()
    await chat.close()
    again = await Chat.open(echo_site.rasa_url, echo_site.origin)
    try:
        assert await again.start(session) == session
        [reply] = await again.say(session, "still me")
        assert f"Conversation: {session}" in reply["text"]
    finally:
        await again.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("bad_id", ["x" * 500, "../../etc", "<script>", 12345, ""])
async def test_unusable_session_ids_get_a_fresh_one(chat, bad_id):
    session = await chat.start(bad_id)
    assert session != bad_id
    assert len(session) == 32


@pytest.mark.asyncio
async def test_message_before_a_session_request_is_ignored(chat):
    await chat.emit("user_uttered", {"message": "hello", "session_id": "a" * 32})
    with pytest.raises(asyncio.TimeoutError):
        await chat.event("bot_uttered", timeout=1)


@pytest.mark.asyncio
async def test_a_connection_cannot_post_into_another_conversation(chat):
    mine = await chat.start()
    someone_else = "b" * 32
    (reply,) = await chat.say(someone_else, "hello")
    assert f"Conversation: {mine}" in reply["text"]
    assert someone_else not in reply["text"]
