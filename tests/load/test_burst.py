"""A burst of 100 simultaneous patients (issue 12): every one gets an answer or an honest refusal.

Before issue 12, a burst like this got HTTP 200 for every request, yet many replies were only the
disclaimer (the action call had been dropped), and half of the patients who wrote a red flag never
got the urgent advice. Here every request must get a reply with an answer in it (or a 503 with
Retry-After), and every one of the 10 red-flag messages must get the urgent advice. No timing is
asserted: the machine may be slow; only what patients receive counts.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.support.live_bot import LiveBot

QUESTIONS = [
    "why do you check my hips when my back hurts",
    "what did the study find",
    "how soon should I get treated",
    "what are the best treatments for low back pain",
    "where are your clinics",
    "hello",
]
RED_FLAG = "I suddenly lost control of my bladder"
BURST = 100
URGENT_EVERY = 10  # every 10th patient writes the red flag: 10 of 100


def session_start_text(live_bot: LiveBot) -> str | None:
    """What a new conversation gets before any answer (the disclaimer), as the running model says.

    Taken from the live bot rather than domain.yml, so a model trained before a wording change
    still counts its own disclaimer as "not an answer".
    """
    reply = live_bot.send(f"burst-warm-{uuid.uuid4().hex[:8]}", "thanks").json()
    return reply[0].get("text") if len(reply) > 1 else None


def is_urgent(messages: list[dict]) -> bool:
    """The urgent advice: its custom payload says so (or, failing that, the text says 911)."""
    return any(
        (message.get("custom") or {}).get("type") == "urgent" or "911" in message.get("text", "")
        for message in messages
    )


def answers(messages: list[dict], disclaimer: str | None) -> list[dict]:
    """The messages of a reply other than the session disclaimer."""
    return [
        message
        for message in messages
        if (message.get("text") or message.get("custom")) and message.get("text") != disclaimer
    ]


async def send_all(url: str, messages: list[tuple[str, str]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post(url, json={"sender": sender, "message": text})
                for sender, text in messages
            )
        )


def test_a_burst_of_100_gets_100_replies_and_every_red_flag_the_urgent_advice(
    live_bot: LiveBot,
) -> None:
    run = uuid.uuid4().hex[:8]
    messages = [
        (f"burst-{run}-{n}", RED_FLAG if n % URGENT_EVERY == 0 else QUESTIONS[n % len(QUESTIONS)])
        for n in range(BURST)
    ]
    disclaimer = session_start_text(live_bot)
    responses = asyncio.run(send_all(f"{live_bot.rasa_url}/webhooks/rest/webhook", messages))

    silent, urgent_missed, refused = [], [], 0
    for (sender, text), response in zip(messages, responses, strict=True):
        if response.status_code == 503 and text != RED_FLAG:
            assert response.headers.get("Retry-After", "").isdigit(), response.headers
            refused += 1
            continue
        assert response.status_code == 200, (sender, response.status_code, response.text[:200])
        reply = response.json()
        if not answers(reply, disclaimer):
            silent.append(sender)
        if text == RED_FLAG and not is_urgent(reply):
            urgent_missed.append(sender)

    assert not silent, f"{len(silent)} of {BURST} patients got no answer: {silent[:5]}"
    assert not urgent_missed, f"{len(urgent_missed)} of 10 red flags without urgent advice"
    assert refused < BURST - BURST // URGENT_EVERY, "every non-urgent message was refused"
