"""The servers refuse what they should (issue 15): REST without its token when one is set, action
calls without the shared secret, and clients that trickle a request to keep a connection open.

``hardened_bot`` (conftest) runs with ``REST_API_TOKEN``, ``ACTION_SERVER_TOKEN`` and a 2-second
request deadline; the session's default bot (no settings) shows the open REST and the generated
action secret.
"""

from __future__ import annotations

import json
import socket
import stat
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import texts
from tests.support.live_bot import LiveBot

from .conftest import REST_TOKEN


def _post(bot: LiveBot, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{bot.rasa_url}/webhooks/rest/webhook",
        json={"sender": "token-check", "message": "why do you check my hips"},
        headers=headers,
        timeout=60,
    )


# --- REST_API_TOKEN ------------------------------------------------------------------------


def test_rest_requires_the_bearer_token_when_set(hardened_bot) -> None:
    assert _post(hardened_bot, {}).status_code == 401
    assert _post(hardened_bot, {"Authorization": "Bearer wrong"}).status_code == 401
    assert _post(hardened_bot, {"Authorization": REST_TOKEN}).status_code == 401
    answered = _post(hardened_bot, {"Authorization": f"Bearer {REST_TOKEN}"})
    assert answered.status_code == 200
    # A cited answer comes from the action server: Rasa's calls carry the configured secret.
    assert "Sources:" in texts(answered.json())


def test_rest_stays_open_without_a_token_as_in_the_readme(live_bot) -> None:
    reply = httpx.post(
        f"{live_bot.rasa_url}/webhooks/rest/webhook",
        content=json.dumps({"sender": "me", "message": "why do you check my hips?"}),
        timeout=60,
    )
    assert reply.status_code == 200 and "Sources:" in texts(reply.json())


# --- the action server's shared secret -----------------------------------------------------


def _action_call() -> dict:
    return {
        "next_action": "action_submit_booking",
        "sender_id": "forged",
        "tracker": {"sender_id": "forged", "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.2",
    }


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_unsigned_action_calls_are_refused(hardened_bot, headers) -> None:
    response = httpx.post(hardened_bot.action_url, json=_action_call(), headers=headers)
    assert response.status_code in (401, 403)
    actions = hardened_bot.action_url.replace("/webhook", "/actions")
    assert httpx.get(actions, headers=headers).status_code in (401, 403)
    assert httpx.get(hardened_bot.action_url.replace("/webhook", "/health")).status_code == 200


def test_generated_action_secret_is_private_and_required(live_bot) -> None:
    secret_file = live_bot.data_dir / "action_server_token"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert httpx.post(live_bot.action_url, json=_action_call()).status_code in (401, 403)
    signed = httpx.get(
        live_bot.action_url.replace("/webhook", "/actions"),
        headers={"Authorization": f"Bearer {secret_file.read_text().strip()}"},
    )
    assert signed.status_code == 200 and signed.json()


# --- slow clients ----------------------------------------------------------------------------


def _trickle(bot: LiveBot, head: bytes, trickled: bytes, give_up_after: float = 20.0) -> bytes:
    """Send ``head``, then ``trickled`` one byte every 0.3 s; what the server answered (b"" if
    it closed without a word). Fails if the server was still waiting when the client gave up."""
    url = urlsplit(bot.rasa_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(head)
        stop = time.monotonic() + give_up_after
        for byte in trickled:
            if time.monotonic() > stop:
                break
            try:
                sock.sendall(bytes([byte]))
            except OSError:  # the server closed the connection
                break
            sock.settimeout(0.3)
            try:
                answer = sock.recv(4096)
                return answer
            except TimeoutError:
                continue
            except OSError:
                return b""
        pytest.fail("the server still waited for the trickled request when the client gave up")
    return b""


def test_a_trickled_body_is_cut_off(hardened_bot) -> None:
    body = json.dumps({"sender": "slow", "message": "x" * 500}).encode()
    head = (
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + REST_TOKEN.encode() + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    answer = _trickle(hardened_bot, head, body)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408")


def test_trickled_headers_are_cut_off(hardened_bot) -> None:
    head = b"GET /webhooks/rest/ HTTP/1.1\r\nHost: x\r\n"
    answer = _trickle(hardened_bot, head, b"X-Slow: " + b"a" * 500 + b"\r\n\r\n")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
    # The server still answers everyone else.
    assert httpx.get(f"{hardened_bot.rasa_url}/webhooks/rest/").status_code == 200
