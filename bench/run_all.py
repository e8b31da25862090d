"""`make bench`: prints the figures the issues ask for. Not a test: nothing here asserts on time.

- held-out intent accuracy and macro-F1 (tests/nlu/test_data.yml, never trained on)
- red-flag recall per category and tier, false alarms, and which layer caught each
  (tests/safety/heldout_red_flags.yml, never trained on; bench/safety_bench.py), and the same
  set sent to the live bot over REST (bench/safety_rest_bench.py)
- training time (a full `rasa train --force` into a temp dir)
- side by side with the stock `rasa init` bot (bench/compare_stock.py): start-to-first-answer,
  peak memory, REST latency p50/p95/p99 of 1 conversation, messages per second and p95 of 20 at
  once, a 200-request burst (answers received / sent, statuses, urgent advice)
- two Rasa servers on PostgreSQL + Redis against one (bench/scaled_out_bench.py)
- the staff list page on 10,000 conversations in PostgreSQL (bench/staff_list_bench.py)
- the reading grade of every patient-facing text (bench/readability_bench.py)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from bench.compare_stock import side_by_side
from bench.nlu_bench import held_out_scores
from bench.readability_bench import print_grades as readability_grades
from bench.safety_bench import safety_figures
from bench.safety_rest_bench import rest_figures as safety_over_rest
from bench.scaled_out_bench import scaled_out_figures
from tests.support.live_bot import PROJECT_ROOT

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")


def heading(title: str) -> None:
    print(f"\n== {title}", flush=True)


def training_time() -> float:
    heading("Training time (rasa train --force, 2 cores)")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [RASA, "train", "--force", "--out", out, "--quiet"],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        print(f"training time: {seconds:.1f} s")
        return seconds


def staff_list() -> None:
    heading("Staff list page, 10,000 conversations in PostgreSQL")
    script = PROJECT_ROOT / "bench" / "staff_list_bench.py"
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
    held_out_scores()  # both held-out sets (bench/nlu_bench.py)
    safety_figures()
    safety_over_rest()  # the same held-out set as a user meets it (bench/safety_rest_bench.py)
    trained = None if args.skip_training else training_time()
    # Servers, latency, burst and memory, side by side with stock Rasa (bench/compare_stock.py)
    side_by_side(args.turns, training_seconds=trained)
    scaled_out_figures()  # two Rasa servers on PostgreSQL + Redis (bench/scaled_out_bench.py)
    staff_list()
    subprocess.run([sys.executable, "bench/staff_inbox_bench.py"], cwd=PROJECT_ROOT, check=False)
    readability_grades()


if __name__ == "__main__":
    main()
