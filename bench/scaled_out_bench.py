"""Scaled out, measured (issue 12, item 4): two Rasa servers against one, on PostgreSQL + Redis.

The project's servers share conversations through the SQL tracker store (PostgreSQL) and Rasa's
Redis lock store, as ``tests/db/test_scaled_out.py`` checks for correctness. Here the same 20
conversations run first on one server, then on two with every conversation's turns alternating
between them, and the pair's throughput and p95 are printed against the single server's. Then
every user message sent is looked for in the events table: events stored must equal events sent
(none lost, none doubled by the two servers).

Skipped with a printed reason when PostgreSQL or Redis is not reachable (see
``tests/support/services.py``). Both servers share this machine's cores, so the pair shows the
cost of coordination here; on separate machines it would also add capacity.
Run alone: ``python -m bench.scaled_out_bench [--conversations 20] [--turns 15]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from _pytest.outcomes import OutcomeException

from bench import measure
from tests.support.live_bot import start_live_bot
from tests.support.services import fresh_postgres_database, redis_url

# Servers load a model in minutes on a busy 2-core machine (tests/support/live_bot.py).
os.environ.setdefault("MEND_START_TIMEOUT", "600")
WEBHOOK = "/webhooks/rest/webhook"
CONVERSATION_PREFIX = "rest:"  # how the REST channel names a sender's conversation


def user_events_stored(database_url: str, senders: list[str]) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text(
                    "select count(*) from events where type_name = 'user' and sender_id = any(:ids)"
                ),
                {"ids": [CONVERSATION_PREFIX + sender for sender in senders]},
            ).scalar()
    finally:
        engine.dispose()


def _line(name: str, result: measure.LoadResult) -> str:
    return (
        f"{name:<12} {result.throughput:>7.1f} msg/s   "
        f"p95 {measure.percentile(result.latencies, 95):>6.0f} ms   "
        f"p50 {measure.percentile(result.latencies, 50):>6.0f} ms"
    )


def _errors_in_logs(log_dir: Path, limit: int = 8) -> list[str]:
    """The servers' error lines (the logs hold no message text), to explain a mismatch."""
    lines = []
    for log in sorted(log_dir.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if " ERROR " in line or "Exception" in line:
                lines.append(f"{log.name}: {line[:200]}")
    return lines[-limit:]


def measure_pair(database_url: str, conversations: int, turns: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        bot = start_live_bot(
            Path(data_dir), {"DATABASE_URL": database_url, "REDIS_URL": redis_url()}
        )
        try:
            first = bot.rasa_url + WEBHOOK
            measure.run_load(first, 1, 6, prefix="warm-up")
            one = measure.run_load(first, conversations, turns, prefix="one")
            second = bot.add_rasa_server() + WEBHOOK
            measure.run_load(second, 1, 6, prefix="warm-up")
            servers = [first, second]
            pair = measure.run_load(
                first,
                conversations,
                turns,
                prefix="pair",
                pick_url=lambda n, turn: servers[(n + turn) % 2],
            )
        finally:
            bot.stop()
        print(_line("one server", one))
        print(_line("two servers", pair))
        p95_ratio = measure.percentile(pair.latencies, 95) / measure.percentile(one.latencies, 95)
        print(
            f"pair / one: throughput {pair.throughput / one.throughput:.2f}x, p95 {p95_ratio:.2f}x"
        )
        for name, result in (("one server", one), ("two servers", pair)):
            sent = len(result.latencies)
            stored = user_events_stored(database_url, result.senders)
            verdict = "equal" if stored == sent else "MISMATCH"
            print(f"{name}: user messages sent {sent}, stored as events {stored} ({verdict})")
            if stored != sent:
                print("\n".join(_errors_in_logs(bot.log_dir)) or "(no errors in the logs)")


def scaled_out_figures(conversations: int = 20, turns: int = 15) -> None:
    """``make bench``'s scaled-out section; prints a reason instead when a service is missing."""
    print("\n== Scaled out: two Rasa servers on PostgreSQL + Redis against one", flush=True)
    try:
        with fresh_postgres_database("mend_bench_scale") as database_url:
            redis_url()  # skips (raises) before any server starts if Redis is not there
            measure_pair(database_url, conversations, turns)
    except OutcomeException as skipped:  # tests/support/services.py skips (or fails under CI)
        print(f"skipped: {skipped.msg}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=15)
    args = parser.parse_args()
    scaled_out_figures(args.conversations, args.turns)


if __name__ == "__main__":
    main()
