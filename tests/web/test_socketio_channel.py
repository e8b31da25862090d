"""The socket.io channel as a client sees it: origins, guarded input, payload shape, sessions.

Runs against ``echo_server.py`` (the real ``GuardedSocketIOInput`` with a scripted bot), so no
model or browser is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
import websockets

from bot.channels.replies import empty_reply, sorry_reply
from tests.web.socketio_client import Chat


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
    assert reply == {"text": empty_reply()}


@pytest.mark.asyncio
async def test_too_long_message_gets_a_reply_and_is_not_processed(chat):
    session = await chat.start()
    # The first long message loads the red-flag detector (checked before the "too long" reply).
    [reply] = await chat.say(session, "back pain " * 300, timeout=90)
    assert "too long" in reply["text"]
    # The conversation carries on normally afterwards.
    [echo] = await chat.say(session, "hello")
    assert echo["text"].startswith("You said: hello")


@pytest.mark.asyncio
async def test_failure_in_the_bot_gets_an_apology_not_silence(chat):
    session = await chat.start()
    [reply] = await chat.say(session, "/fail")
    assert reply == {"text": sorry_reply()}


@pytest.mark.asyncio
async def test_session_continues_across_connections_with_its_token(echo_site, chat):
    session = await chat.start()
    assert chat.confirm["new"] is True
    token = chat.confirm["token"]
    await chat.close()
    again = await Chat.open(echo_site.rasa_url, echo_site.origin)
    try:
        assert await again.start(token) == session
        assert again.confirm["new"] is False
        [reply] = await again.say(session, "still me")
        assert f"Conversation: {session}" in reply["text"]
    finally:
        await again.close()


@pytest.mark.asyncio
async def test_conversation_ids_are_random_and_issued_by_the_server(chat):
    first = await chat.start()
    second = await chat.start()
    assert first != second
    assert len(first) == len(second) == 32


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "request_data",
    [
        {"session_id": "VICTIM"},  # Rasa's protocol: the client names the id
        {"token": "VICTIM"},  # the id itself is not a token
        {"token": "VICTIM.forgedsignature", "session_id": "VICTIM"},
        {"token": "x" * 5000},
        {"token": 12345},
        "VICTIM",
        None,
    ],
)
async def test_naming_someone_elses_id_without_its_token_starts_a_new_conversation(
    echo_site, request_data
):
    victim = await Chat.open(echo_site.rasa_url, echo_site.origin)
    attacker = await Chat.open(echo_site.rasa_url, echo_site.origin)
    try:
        victim_id = await victim.start()
        if isinstance(request_data, dict):
            request_data = {
                k: v.replace("VICTIM", victim_id) if isinstance(v, str) else v
                for k, v in request_data.items()
            }
        elif isinstance(request_data, str):
            request_data = victim_id
        confirm = await attacker.request_session(request_data)
        assert confirm["session_id"] != victim_id
        assert confirm["new"] is True
        [reply] = await attacker.say(confirm["session_id"], "hello")
        assert f"Conversation: {confirm['session_id']}" in reply["text"]
        # Nothing the attacker says reaches the victim's connection either.
        with pytest.raises(asyncio.TimeoutError):
            await victim.event("bot_uttered", timeout=1)
    finally:
        await victim.close()
        await attacker.close()


@pytest.mark.asyncio
async def test_a_token_signed_with_another_key_is_refused(chat):
    from bot.channels.socketio import ConversationTokens

    victim_id = await chat.start()
    _, forged = ConversationTokens("not-the-servers-key").issue(victim_id)
    assert await chat.start(forged) != victim_id


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


def test_tokens_expire_and_name_only_their_own_conversation():
    from bot.channels.socketio import ConversationTokens

    tokens = ConversationTokens("a-key")
    conversation_id, token = tokens.issue()
    assert tokens.conversation_of(token) == conversation_id
    assert conversation_id not in {tokens.issue()[0] for _ in range(20)}
    assert ConversationTokens("a-key", max_age=-1).conversation_of(token) is None
    assert ConversationTokens("another-key").conversation_of(token) is None
