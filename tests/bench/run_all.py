"""`make bench`: prints the figures the issues ask for. Not a test: nothing here asserts on time.

- held-out intent accuracy and macro-F1 (tests/nlu/test_data.yml, never trained on)
- training time (a full `rasa train --force` into a temp dir)
- server start time and peak memory of the Rasa and action servers
- REST latency p50/p95/p99 and messages per second, 1 and 20 concurrent conversations
- the staff list page on 10,000 conversations in PostgreSQL (tests/bench/staff_list_bench.py)
- the reading grade of every patient-facing text (tests/bench/readability_bench.py)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.bench.readability_bench import print_grades as readability_grades
from tests.bench.safety_bench import safety_figures
from tests.support.live_bot import PROJECT_ROOT, start_live_bot

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
QUESTIONS = [
    "why do you check my hips when my back hurts",
    "what did the study find",
    "how soon should I get treated",
    "where is that from?",
    "what are the best treatments for low back pain",
    "where are your clinics",
]


def heading(title: str) -> None:
    print(f"\n== {title}", flush=True)


def nlu_scores() -> None:
    heading("NLU on the held-out set (tests/nlu/test_data.yml)")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                RASA,
                "test",
                "nlu",
                "--nlu",
                "tests/nlu/test_data.yml",
                "--model",
                "models/mend.tar.gz",
                "--out",
                out,
            ],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
        report = json.loads((Path(out) / "intent_report.json").read_text())
    print(f"intent accuracy: {report['accuracy']:.3f}")
    print(f"intent macro-F1: {report['macro avg']['f1-score']:.3f}")
    print(f"examples: {report['macro avg']['support']}")


def training_time() -> None:
    heading("Training time (rasa train --force, 2 cores)")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [RASA, "train", "--force", "--out", out, "--quiet"],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
        print(f"training time: {time.perf_counter() - start:.1f} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def conversation(url: str, sender: str, turns: int) -> list[float]:
    latencies = []
    with httpx.Client(timeout=60) as client:
        for turn in range(turns):
            start = time.perf_counter()
            response = client.post(url, json={"sender": sender, "message": QUESTIONS[turn % 6]})
            response.raise_for_status()
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def load(url: str, conversations: int, turns: int) -> None:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        runs = list(
            pool.map(
                lambda n: conversation(url, f"bench-{conversations}-{n}-{time.time_ns()}", turns),
                range(conversations),
            )
        )
    elapsed = time.perf_counter() - start
    latencies = [value for run in runs for value in run]
    print(
        f"{conversations:>2} concurrent conversation(s), {len(latencies)} messages: "
        f"p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
        f"p99 {percentile(latencies, 99):.0f} ms, mean {statistics.mean(latencies):.0f} ms, "
        f"{len(latencies) / elapsed:.1f} messages/s"
    )


def servers_and_latency(turns: int) -> None:
    heading("Servers (SQLite defaults) and REST latency")
    with tempfile.TemporaryDirectory() as data_dir:
        start = time.perf_counter()
        bot = start_live_bot(Path(data_dir))
        print(f"start time (Rasa + action server ready): {time.perf_counter() - start:.1f} s")
        try:
            url = f"{bot.rasa_url}/webhooks/rest/webhook"
            conversation(url, "warm-up", 6)
            load(url, 1, turns)
            load(url, 20, max(5, turns // 4))
            rasa, actions = bot.processes
            print(
                f"peak memory: Rasa server {peak_memory_mb(rasa.pid):.0f} MB, "
                f"action server {peak_memory_mb(actions.pid):.0f} MB"
            )
        finally:
            bot.stop()


def staff_list() -> None:
    heading("Staff list page, 10,000 conversations in PostgreSQL")
    script = PROJECT_ROOT / "tests" / "bench" / "staff_list_bench.py"
    if not script.exists():
        print("(staff benchmark not present)")
        return
    result = subprocess.run(
        [sys.executable, str(script)], check=False, cwd=PROJECT_ROOT, env=os.environ
    )
    if result.returncode:
        print(f"(staff benchmark exited with {result.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--turns", type=int, default=60, help="messages in the 1-conversation run")
    args = parser.parse_args()
    nlu_scores()
    safety_figures()
    if not args.skip_training:
        training_time()
    servers_and_latency(args.turns)
    staff_list()
    readability_grades()


if __name__ == "__main__":
    main()
