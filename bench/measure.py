"""Measuring a bot over REST, shared by the benchmarks (run_all, compare_stock, scaled_out_bench).

Every figure comes from real HTTP requests to ``/webhooks/rest/webhook``; nothing here asserts on
time. The same 40 patient questions go to every bot measured, so figures compare like for like.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# Questions patients ask about low back pain, the hips, the study and the clinic (no booking
# phrases: a form would change what the next turns mean).
QUESTIONS = [
    "why do you check my hips when my back hurts",
    "what did the study find",
    "how soon should I get treated",
    "where is that from?",
    "what are the best treatments for low back pain",
    "where are your clinics",
    "hello",
    "my lower back hurts when I sit for long",
    "is physical therapy good for back pain",
    "why would my hip matter for my back",
    "what is hip asymmetry",
    "does my back make up for stiff hips",
    "how long should I wait before seeing someone",
    "should I start therapy early",
    "what treatments work best",
    "is rest better than exercise",
    "which study did you use",
    "who wrote that research",
    "do you have a clinic in Lafayette",
    "where is the Boulder clinic",
    "thanks",
    "are you a robot",
    "what can you do",
    "hi there",
    "can hip mobility help my back",
    "my back has hurt for three months",
    "what did the researchers measure",
    "how many people were in the study",
    "is it normal that my hips are uneven",
    "what does a physical therapist do for back pain",
    "what are your opening hours",
    "what is your address",
    "thank you, that helps",
    "what did the study say about hip rotation",
    "can exercise help low back pain",
    "do I need an x-ray for back pain",
    "why does sitting make my back worse",
    "how does the hip affect the lower back",
    "where did you get that information",
    "bye",
]
RED_FLAG = "I suddenly lost control of my bladder"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def memory_mb(pid: int, field_name: str = "VmHWM") -> float:
    """A process's memory from /proc (VmHWM: peak resident; VmRSS: resident now), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_memory_mb(pid: int) -> float:
    return memory_mb(pid, "VmHWM")


def conversation(
    url: str, sender: str, turns: int, first: int = 0, pick_url: Callable[[int], str] | None = None
) -> list[float]:
    """One patient asking ``turns`` questions in a row; latency of each reply in ms.

    ``pick_url`` chooses the server per turn (scaled out: conversations move between servers).
    """
    latencies = []
    with httpx.Client(timeout=120) as client:
        for turn in range(turns):
            question = QUESTIONS[(first + turn) % len(QUESTIONS)]
            target = pick_url(turn) if pick_url else url
            start = time.perf_counter()
            response = client.post(target, json={"sender": sender, "message": question})
            response.raise_for_status()
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


@dataclass
class LoadResult:
    conversations: int
    latencies: list[float]
    seconds: float
    senders: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def summary(self) -> str:
        values = self.latencies
        return (
            f"{self.conversations:>2} concurrent conversation(s), {len(values)} messages: "
            f"p50 {percentile(values, 50):.0f} ms, p95 {percentile(values, 95):.0f} ms, "
            f"p99 {percentile(values, 99):.0f} ms, mean {statistics.mean(values):.0f} ms, "
            f"{self.throughput:.1f} messages/s"
        )


def run_load(
    url: str,
    conversations: int,
    turns: int,
    prefix: str = "bench",
    pick_url: Callable[[int, int], str] | None = None,
) -> LoadResult:
    """``conversations`` patients at once, ``turns`` questions each (each starts elsewhere)."""
    senders = [f"{prefix}-{conversations}-{n}-{time.time_ns()}" for n in range(conversations)]

    def one(n: int) -> list[float]:
        chooser = (lambda turn: pick_url(n, turn)) if pick_url else None
        return conversation(url, senders[n], turns, first=n * 7, pick_url=chooser)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        runs = list(pool.map(one, range(conversations)))
    elapsed = time.perf_counter() - start
    return LoadResult(conversations, [v for run in runs for v in run], elapsed, senders)


def load(url: str, conversations: int, turns: int) -> LoadResult:
    """Run and print one load figure (the line ``make bench`` has always printed)."""
    result = run_load(url, conversations, turns)
    print(result.summary(), flush=True)
    return result


@dataclass
class BurstResult:
    sent: int
    answered: int  # HTTP 200 with at least one message
    statuses: Counter
    urgent_sent: int
    urgent_answered: int  # red-flag messages whose reply was the urgent advice
    errors: int  # no HTTP answer at all (connection failed, timed out)

    def summary(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.answered}/{self.sent} answered (statuses {statuses}; no answer {self.errors}); "
            f"urgent advice {self.urgent_answered}/{self.urgent_sent}"
        )


def is_urgent(messages: list[dict]) -> bool:
    return any(
        (m.get("custom") or {}).get("type") == "urgent" or "911" in (m.get("text") or "")
        for m in messages
    )


async def _burst(url: str, bodies: list[dict]) -> list[httpx.Response | Exception]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        return await asyncio.gather(
            *(client.post(url, json=body) for body in bodies), return_exceptions=True
        )


def burst(url: str, size: int = 200, urgent_every: int = 20) -> BurstResult:
    """``size`` patients writing at the same moment; every ``urgent_every``-th has a red flag."""
    run = time.time_ns()
    bodies = [
        {
            "sender": f"burst-{run}-{n}",
            "message": RED_FLAG if n % urgent_every == 0 else QUESTIONS[n % len(QUESTIONS)],
        }
        for n in range(size)
    ]
    results = asyncio.run(_burst(url, bodies))
    statuses: Counter = Counter()
    answered = urgent_answered = errors = 0
    for body, result in zip(bodies, results, strict=True):
        if isinstance(result, Exception):
            errors += 1
            continue
        statuses[result.status_code] += 1
        reply = result.json() if result.status_code == 200 else []
        answered += bool(reply)
        urgent_answered += body["message"] == RED_FLAG and is_urgent(reply)
    urgent_sent = sum(body["message"] == RED_FLAG for body in bodies)
    return BurstResult(size, answered, statuses, urgent_sent, urgent_answered, errors)


def first_answer_seconds(url: str, process: subprocess.Popen, started: float) -> float:
    """Seconds from ``started`` (process spawned) until the bot answers a first message."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with code {process.returncode}")
        try:
            reply = httpx.post(url, json={"sender": "first-answer", "message": "hello"}, timeout=30)
            if reply.status_code == 200 and reply.json():
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
