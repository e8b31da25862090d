"""The bot over its REST webhook, as a client sees it (real Rasa + action server, SQLite)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import texts

DOI = "https://doi.org/10.12659/MSM.925080"
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/32968039/"


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def custom_payloads(messages: list[dict]) -> list[dict]:
    return [message["custom"] for message in messages if "custom" in message]


def test_first_reply_carries_the_disclaimer(live_bot) -> None:
    reply = live_bot.send(new_sender(), "hi").json()
    assert "not a diagnosis" in texts(reply) and "911" in texts(reply)


@pytest.mark.parametrize(
    ("question", "answer_id"),
    [
        ("why do you check my hips when my lower back hurts", "why_check_hips"),
        ("what does it mean if one hip extends less than the other", "hip_asymmetry"),
        ("how soon should i get my back pain treated", "how_soon"),
        ("whats the best treatment for low back pain", "best_treatments"),
    ],
)
def test_health_answers_are_cited(live_bot, question: str, answer_id: str) -> None:
    reply = live_bot.send(new_sender(), question).json()
    payloads = custom_payloads(reply)
    assert payloads and payloads[0]["answer_id"] == answer_id
    assert "Sources:" in texts(reply)
    assert any(source["id"] == "mend-blog-2023" for source in payloads[0]["sources"]) or any(
        source["doi_url"] == DOI for source in payloads[0]["sources"]
    )


def test_sources_question_cites_the_last_answer(live_bot) -> None:
    sender = new_sender()
    live_bot.send(sender, "what did the study find")
    reply = live_bot.send(sender, "where is that from?").json()
    assert DOI in texts(reply) and PUBMED in texts(reply)
    assert custom_payloads(reply)[0]["answer_id"] == "study_findings"
    assert "not a treatment trial" in texts(reply)


def test_red_flag_inside_a_booking_request_gets_urgent_advice_only(live_bot) -> None:
    sender = new_sender()
    live_bot.send(sender, "hi")
    reply = live_bot.send(sender, "can I book? also I can't control my bladder").json()
    text = texts(reply)
    assert "911" in text and "emergency" in text.lower()
    assert "appointment" not in text.lower() or "Don't wait" in text
    assert not any(message.get("buttons") for message in reply)


def test_unclear_input_gets_choices_then_a_person(live_bot) -> None:
    sender = new_sender()
    first = live_bot.send(sender, "/nlu_fallback").json()
    assert any(message.get("buttons") for message in first)
    assert "not sure" in texts(first).lower()
    second = live_bot.send(sender, "/nlu_fallback").json()
    assert "555-01" in texts(second) or "Call" in texts(second)
    payloads = [b["payload"] for m in second for b in m.get("buttons", [])]
    assert "/talk_to_human" in payloads and "/book_appointment" in payloads


def test_out_of_scope_is_declined_politely(live_bot) -> None:
    reply = live_bot.send(new_sender(), "what's the weather in boulder tomorrow").json()
    assert "outside what I can help with" in texts(reply)
    assert not custom_payloads(reply)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😀😀😀",
        "<script>alert('x')</script>",
        "¿Por qué me duele la espalda?",
        "x" * 10_000,
        "\x00\x01\x02binary\xff",
        "\ud800 lone surrogate",
        None,
    ],
)
def test_odd_messages_get_a_clear_reply_and_the_conversation_continues(live_bot, message) -> None:
    sender = new_sender()
    response = live_bot.send(sender, message)
    assert response.status_code == 200
    assert texts(response.json()).strip(), "the patient must get some reply"
    follow_up = live_bot.send(sender, "why do you check my hips")
    assert custom_payloads(follow_up.json()), "the conversation must go on afterwards"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1, 2, 3]", "JSON object"),
        (b'"just a string"', "JSON object"),
        (b"not json at all", "JSON object"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "JSON object"),
        (b'{"message": "hi"}', "'sender' is required"),
        (b'{"sender": "", "message": "hi"}', "'sender' is required"),
        (b'{"sender": "a", "message": 42}', "'message' must be a string"),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', "'metadata'"),
        # SMS conversations are named by phone number: not reachable through REST.
        (b'{"sender": "+17205550143", "message": "hi"}', "only letters, digits"),
        (
            b'{"sender": "a", "message": "hi", "metadata": {"x": "' + b"y" * 5000 + b'"}}',
            "at most 1024",
        ),
    ],
)
def test_malformed_requests_get_a_400_with_a_reason(live_bot, body: bytes, reason: str) -> None:
    response = httpx.post(
        f"{live_bot.rasa_url}/webhooks/rest/webhook",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert reason in response.json()["reason"]


def test_http_api_is_off_by_default(live_bot) -> None:
    assert httpx.get(f"{live_bot.rasa_url}/status", timeout=10).status_code in (403, 404, 405)
    conversations = httpx.get(f"{live_bot.rasa_url}/conversations/x/tracker", timeout=10)
    assert conversations.status_code in (403, 404, 405)
