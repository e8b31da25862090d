"""The project against the stock ``rasa init`` bot, side by side in one run (issue 12, item 3).

The stock bot (same Rasa, its default in-memory tracker store, no action server) is built once
into ``build/bench/stock/`` and reused while its trained model is there (delete the folder to
rebuild it). Both bots get the same messages over REST (``bench/measure.py``), and every
figure is printed for both with the project / stock ratio:

- 1 conversation: p50 / p95 / p99
- 20 conversations at once: messages per second and p95
- a 200-request burst: answers received / sent, the HTTP statuses, urgent advice for red flags
- start-to-first-answer (process spawned until a first reply), server memory, training time

Run alone: ``python -m bench.compare_stock [--turns 60] [--burst 200]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import measure
from tests.support.live_bot import PROJECT_ROOT, free_port, start_live_bot, wait_for

# Servers load a model in minutes on a busy 2-core machine (tests/support/live_bot.py).
os.environ.setdefault("MEND_START_TIMEOUT", "600")
RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
STOCK_DIR = PROJECT_ROOT / "build" / "bench" / "stock"
TRAINING_SECONDS_FILE = STOCK_DIR / ".training_seconds"


@dataclass
class Figures:
    """One bot's figures; ``None`` where not measured."""

    name: str
    values: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def quiet_env() -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::PendingDeprecationWarning",
    }


def stock_model() -> Path | None:
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def build_stock_bot() -> float:
    """``rasa init --no-prompt`` (which trains) once; its training time is kept with it."""
    if stock_model() and TRAINING_SECONDS_FILE.exists():
        print(f"(stock bot reused from {STOCK_DIR.relative_to(PROJECT_ROOT)})", flush=True)
        return float(TRAINING_SECONDS_FILE.read_text())
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    STOCK_DIR.mkdir(parents=True)
    start = time.perf_counter()
    subprocess.run(
        [RASA, "init", "--no-prompt", "--init-dir", str(STOCK_DIR)],
        cwd=STOCK_DIR,
        env=quiet_env(),
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start  # copying the template files takes milliseconds
    TRAINING_SECONDS_FILE.write_text(f"{seconds:.1f}")
    return seconds


def measure_bot(figures: Figures, url: str, turns: int, burst_size: int) -> None:
    """The same traffic, in the same order, for either bot."""
    measure.run_load(url, 1, 6, prefix="warm-up")
    one = measure.run_load(url, 1, turns)
    print(f"  {one.summary()}", flush=True)
    many = measure.run_load(url, 20, max(5, turns // 4))
    print(f"  {many.summary()}", flush=True)
    hit = measure.burst(url, burst_size)
    print(f"  {burst_size}-request burst: {hit.summary()}", flush=True)
    figures.values.update(
        {
            "1 conversation p50 (ms)": measure.percentile(one.latencies, 50),
            "1 conversation p95 (ms)": measure.percentile(one.latencies, 95),
            "1 conversation p99 (ms)": measure.percentile(one.latencies, 99),
            "20 conversations msg/s": many.throughput,
            "20 conversations p95 (ms)": measure.percentile(many.latencies, 95),
            f"burst: answered of {burst_size}": hit.answered,
            "burst: refused with a status": sum(
                n for code, n in hit.statuses.items() if code != 200
            ),
            "burst: no answer at all": hit.errors + (hit.statuses[200] - hit.answered),
        }
    )
    figures.notes.append(f"burst urgent advice {hit.urgent_answered}/{hit.urgent_sent}")


def run_stock(turns: int, burst_size: int) -> Figures:
    figures = Figures("stock rasa init")
    figures.values["training (s)"] = build_stock_bot()
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    started = time.perf_counter()
    process = subprocess.Popen(
        [RASA, "run", "--port", str(port), "--model", str(stock_model())],
        cwd=STOCK_DIR,
        env=quiet_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/webhooks/rest/", process, timeout=300)
        figures.values["start to first answer (s)"] = measure.first_answer_seconds(
            url, process, started
        )
        measure_bot(figures, url, turns, burst_size)
        figures.values["Rasa server peak memory (MB)"] = measure.peak_memory_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return figures


def run_project(turns: int, burst_size: int, training_seconds: float | None) -> Figures:
    figures = Figures("this project")
    figures.values["training (s)"] = training_seconds
    with tempfile.TemporaryDirectory() as data_dir:
        started = time.perf_counter()
        bot = start_live_bot(Path(data_dir))
        try:
            url = f"{bot.rasa_url}/webhooks/rest/webhook"
            rasa, actions = bot.processes
            figures.values["start to first answer (s)"] = measure.first_answer_seconds(
                url, rasa, started
            )
            measure_bot(figures, url, turns, burst_size)
            figures.values["Rasa server peak memory (MB)"] = measure.peak_memory_mb(rasa.pid)
            figures.notes.append(
                f"action server peak memory {measure.peak_memory_mb(actions.pid):.0f} MB"
            )
        finally:
            bot.stop()
    return figures


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"


def print_table(stock: Figures, project: Figures) -> None:
    print(f"\n{'figure':<32} {'stock':>10} {'project':>10} {'project/stock':>14}")
    names = list(dict.fromkeys([*stock.values, *project.values]))
    for name in names:
        a, b = stock.values.get(name), project.values.get(name)
        ratio = f"{b / a:.2f}x" if a and b is not None else "-"
        print(f"{name:<32} {_cell(a):>10} {_cell(b):>10} {ratio:>14}")
    for figures in (stock, project):
        if figures.notes:
            print(f"{figures.name}: {'; '.join(figures.notes)}")
    print("(lower is better for times and memory; higher for msg/s and answered)")


def side_by_side(turns: int = 60, burst_size: int = 200, training_seconds: float | None = None):
    """``make bench``'s comparison; ``training_seconds``: the project's, if measured already."""
    print("\n== This project against the stock `rasa init` bot, same messages over REST")
    print("stock `rasa init` (in-memory tracker store, no action server):", flush=True)
    stock = run_stock(turns, burst_size)
    print("this project (SQLite tracker store, action server):", flush=True)
    project = run_project(turns, burst_size, training_seconds)
    print_table(stock, project)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=60, help="messages in the 1-conversation run")
    parser.add_argument("--burst", type=int, default=200, help="requests in the burst")
    args = parser.parse_args()
    side_by_side(args.turns, args.burst)


if __name__ == "__main__":
    main()
