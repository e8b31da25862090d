"""More messages than the bot can take: the ones beyond the queue get an honest 503 (issue 12).

Runs the real REST channel and its limiter (``bot/channels/overload.py``) in front of a bot held
until the test lets it answer (``slow_rest_server.py``), with room for 1 message inside and 2 in
the queue. No model is needed.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx
import pytest

from tests.support.live_bot import PROJECT_ROOT, bot_env, free_port, wait_for

RED_FLAG = "I suddenly lost control of my bladder"


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory):
    port = free_port()
    env = bot_env(tmp_path_factory.mktemp("slow"))
    env.update({"MAX_CONCURRENT_MESSAGES": "1", "MAX_QUEUED_MESSAGES": "2"})
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.load.slow_rest_server", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/webhooks/rest/", process, timeout=120)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


async def until(client: httpx.AsyncClient, base: str, **expected: int) -> None:
    """Wait until the limiter has as many messages inside and waiting as expected."""
    while (await client.get(f"{base}/state")).json() != expected:
        await asyncio.sleep(0.05)


async def burst(base: str, texts: list[str], urgent: str | None = None) -> list[httpx.Response]:
    """Send ``texts`` while the bot is held (1 inside, then 2 queued), then ``urgent``, then go."""
    url = f"{base}/webhooks/rest/webhook"
    async with httpx.AsyncClient(timeout=60) as client:
        await client.post(f"{base}/gate/close")

        def post(n, text):
            return client.post(url, json={"sender": f"p{n}", "message": text})

        pending = [asyncio.create_task(post(0, texts[0]))]
        await until(client, base, active=1, waiting=0)
        pending += [asyncio.create_task(post(n, t)) for n, t in enumerate(texts[1:], start=1)]
        await until(client, base, active=1, waiting=2)
        await asyncio.sleep(0.5)  # the rest are being refused
        if urgent:
            pending.append(asyncio.create_task(post(len(texts), urgent)))
            await until(client, base, active=2, waiting=2)  # in at once, nobody pushed out
        await client.post(f"{base}/gate/open")
        return await asyncio.gather(*pending)


def test_messages_beyond_the_queue_get_503_with_retry_after(slow_server) -> None:
    responses = asyncio.run(burst(slow_server, ["hello"] * 6))
    statuses = [response.status_code for response in responses]
    assert statuses.count(200) == 3, statuses  # 1 inside + 2 queued
    assert statuses.count(503) == 3, statuses
    for response in responses:
        if response.status_code == 503:
            assert int(response.headers["Retry-After"]) > 0
            assert response.json()["error"] == "overloaded"
        else:
            assert response.json()[0]["text"] == "answer: hello"


def test_a_red_flag_is_never_refused_nor_queued(slow_server) -> None:
    responses = asyncio.run(burst(slow_server, ["hello"] * 4, urgent=RED_FLAG))
    assert [r.status_code for r in responses[:4]].count(503) == 1
    urgent = responses[-1]
    assert urgent.status_code == 200
    assert urgent.json()[0]["text"] == f"answer: {RED_FLAG}"
