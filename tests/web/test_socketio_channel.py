"""The socket.io channel as a client sees it: origins, guarded input, payload shape, sessions.

Runs against ``echo_server.py`` (the real ``GuardedSocketIOInput`` with a scripted bot), so no
model or browser is needed.
"""

from __future__ import annotations

import queue
from typing import Any, Iterator

import httpx
import pytest
import socketio

from bot.channels.input_guard import EMPTY_REPLY
from bot.channels.socketio import SORRY_REPLY


class Chat:
    """A socket.io client that collects what the bot sends."""

    def __init__(self, rasa_url: str, origin: str) -> None:
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.session: queue.Queue[str] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", self.session.put)
        self.client.connect(rasa_url, headers={"Origin": origin}, transports=["polling"])

    def start(self, session_id: Any = None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        return self.session.get(timeout=10)

    def say(self, session_id: str, text: Any, count: int = 1) -> list[dict[str, Any]]:
        self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        return [self.received.get(timeout=10) for _ in range(count)]

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def chat(echo_site) -> Iterator[Chat]:
    chat = Chat(echo_site.rasa_url, echo_site.origin)
    yield chat
    chat.close()


def polling_handshake(rasa_url: str, origin: str) -> httpx.Response:
    return httpx.get(
        f"{rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"},
        headers={"Origin": origin}, timeout=10,
    )


def test_page_origin_in_settings_may_connect(echo_site):
    response = polling_handshake(echo_site.rasa_url, echo_site.origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == echo_site.origin


def test_other_origins_are_refused(echo_site):
    response = polling_handshake(echo_site.rasa_url, "http://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    with pytest.raises(socketio.exceptions.ConnectionError):
        Chat(echo_site.rasa_url, "http://evil.example")


def test_custom_payload_arrives_whole(chat):
    session = chat.start()
    answer, sources_text, custom = chat.say(session, "/answer", count=3)
    assert answer["text"].startswith("Your hips")
    assert sources_text["text"].startswith("Sources:")
    assert custom["custom"]["answer_id"] == "why_check_hips"
    assert custom["custom"]["sources"][0]["doi_url"] == "https://doi.org/10.12659/MSM.925080"


@pytest.mark.parametrize("bad", ["", "   ", None, 42, {"text": "hi"}])
def test_empty_or_non_text_message_gets_a_reply(chat, bad):
    session = chat.start()
    [reply] = chat.say(session, bad)
    assert reply == {"text": EMPTY_REPLY}


def test_too_long_message_gets_a_reply_and_is_not_processed(chat):
    session = chat.start()
    [reply] = chat.say(session, "back pain " * 300)
    assert "too long" in reply["text"]
    # The conversation carries on normally afterwards.
    [echo] = chat.say(session, "hello")
    assert echo["text"].startswith("You said: hello")


def test_failure_in_the_bot_gets_an_apology_not_silence(chat):
    session = chat.start()
    [reply] = chat.say(session, "/fail")
    assert reply == {"text": SORRY_REPLY}


def test_session_continues_across_connections(echo_site, chat):
    session = chat.start()
    chat.close()
    again = Chat(echo_site.rasa_url, echo_site.origin)
    try:
        assert again.start(session) == session
        [reply] = again.say(session, "still me")
        assert f"Conversation: {session}" in reply["text"]
    finally:
        again.close()


@pytest.mark.parametrize("bad_id", ["x" * 500, "../../etc", "<script>", 12345, ""])
def test_unusable_session_ids_get_a_fresh_one(chat, bad_id):
    session = chat.start(bad_id)
    assert session != bad_id
    assert len(session) == 32


def test_message_without_session_id_is_ignored(chat):
    chat.start()
    chat.client.emit("user_uttered", {"message": "hello"})
    with pytest.raises(queue.Empty):
        chat.received.get(timeout=1)
