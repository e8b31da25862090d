"""Benchmark: the staff conversation list with filters, on 10,000 conversations / ~200,000 events.

Creates a fresh PostgreSQL database, fills Rasa's ``events`` table with generated conversations
(Rasa's own event classes, serialised like SQLTrackerStore.save), runs the migrations, builds the
summaries, signs in, and requests filtered list pages through the real web app, printing p50/p95
per filter. Also measures requests while new events keep arriving (incremental summary sync).

Not a test: ``make bench`` runs it. Needs PostgreSQL (MEND_BENCH_PG_ADMIN_URL, default
postgresql://postgres@127.0.0.1:5432/test). Usage:
    .venv/bin/python bench/staff_list_bench.py [--conversations 10000] [--requests 40]
                                                      [--max-p95-ms 300] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import sqlalchemy as sa

from tests.staff.eventgen import Turn, conversation, event_row

TOPICS = [
    ("why do you check my hips when my back hurts", "why_check_hips"),
    ("what did the study find", "study_findings"),
    ("how soon should I get treated", "how_soon"),
    ("what are the best treatments for low back pain", "best_treatments"),
    ("does physical therapy help back pain", "pt_for_back_pain"),
    ("where are your clinics", "clinic_locations"),
    ("is my hip uneven", "hip_asymmetry"),
    ("what sources do you use", "ask_sources"),
]
FILTERS = {
    "emergency": "flag=emergency",
    "web+fallback": "channel=web&flag=fallback",
    "search 'hips'": "q=hips",
    "sms+not reviewed": "channel=sms&reviewed=no",
    "booking, 30 days": "flag=booking&from={from30}",
    "page 20, no filter": "page=20",
}


def generate(count: int, seed: int = 7):
    """Rows for ``count`` conversations of about 20 events each, spread over 90 days."""
    rng = random.Random(seed)
    now = time.time()
    for index in range(count):
        sms = rng.random() < 0.3
        sender = f"+1720{index:07d}" if sms else uuid.UUID(int=rng.getrandbits(128)).hex
        turns = []
        for _ in range(4):
            text, intent = rng.choice(TOPICS)
            confidence = rng.uniform(0.3, 0.99)
            roll = rng.random()
            if roll < 0.01:
                text, intent, confidence = "sudden numbness in my groin", "emergency_symptoms", 0.97
            elif roll < 0.05:
                text, intent = "I want to book an appointment", "book_appointment"
            elif roll < 0.07:
                text, intent = "can I talk to a person", "talk_to_human"
            elif roll < 0.12:
                text, intent = "blue elephants dancing", "nlu_fallback"
            turns.append(Turn(f"{text} #{index}", intent, confidence, ["A helpful answer."]))
        start = now - rng.uniform(0, 90 * 86400)
        for event in conversation(start, turns, "twilio" if sms else "rest"):
            yield event_row(sender, event)


def create_database(admin_url: str) -> tuple[sa.engine.Engine, str, str]:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"mend_bench_staff_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return admin, name, admin.url.set(database=name).render_as_string(hide_password=False)


def fill(url: str, count: int) -> int:
    from rasa.core.tracker_store import SQLTrackerStore

    engine = sa.create_engine(url)
    SQLTrackerStore.Base.metadata.create_all(engine)  # Rasa's own `events` definition
    table = SQLTrackerStore.SQLEvent.__table__
    total, chunk = 0, []
    with engine.begin() as conn:
        for row in generate(count):
            chunk.append(row)
            if len(chunk) == 10000:
                conn.execute(table.insert(), chunk)
                total, chunk = total + len(chunk), []
        if chunk:
            conn.execute(table.insert(), chunk)
            total += len(chunk)
        conn.execute(sa.text("ANALYZE events"))
    engine.dispose()
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=40, help="requests per filter")
    parser.add_argument("--max-p95-ms", type=float, default=None, help="exit 1 above this p95")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    admin_url = os.environ.get(
        "MEND_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    admin, name, url = create_database(admin_url)
    try:
        return run(url, args)
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, args: argparse.Namespace) -> int:
    import datetime as dt

    os.environ.update(
        DATABASE_URL=url, STAFF_SECRET_KEY="bench-" + uuid.uuid4().hex, STAFF_TIMEZONE="UTC"
    )
    from starlette.testclient import TestClient

    from bot.db import get_engine
    from bot.db.migrate import upgrade
    from bot.staff import auth, summary
    from bot.web.app import create_app

    started = time.perf_counter()
    events = fill(url, args.conversations)
    print(
        f"generated {args.conversations} conversations, {events} events "
        f"in {time.perf_counter() - started:.1f}s"
    )
    upgrade(url)
    started = time.perf_counter()
    summary.sync(get_engine())
    with get_engine().begin() as conn:
        conn.execute(sa.text("ANALYZE conversation_summaries"))
    print(f"initial summary build: {time.perf_counter() - started:.1f}s")
    auth.add_user("bench@mendpt.example", "bench password 123", "staff")

    from30 = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    worst = 0.0
    with TestClient(create_app()) as client:
        page = client.get("/staff/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post(
            "/staff/login",
            data={
                "email": "bench@mendpt.example",
                "password": "bench password 123",
                "csrf_token": token,
            },
        )
        print(f"{'filter':<22} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for label, query in FILTERS.items():
            query = query.format(from30=from30)
            timings = []
            for _ in range(args.requests):
                began = time.perf_counter()
                response = client.get(f"/staff/?{query}")
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.status_code
            matches = re.search(r"(\d+) conversations?\.", response.text).group(1)
            p95 = percentile(timings, 0.95)
            worst = max(worst, p95)
            print(f"{label:<22} {matches:>8} {statistics.median(timings):>8.1f} {p95:>8.1f}")
        timings = []
        rows = list(generate(args.requests, seed=99))
        per_request = max(1, len(rows) // args.requests)
        table = sa.Table("events", sa.MetaData(), autoload_with=get_engine())
        for index in range(args.requests):
            with get_engine().begin() as conn:
                conn.execute(table.insert(), rows[index * per_request : (index + 1) * per_request])
            began = time.perf_counter()
            assert client.get("/staff/?flag=emergency").status_code == 200
            timings.append((time.perf_counter() - began) * 1000)
        p95 = percentile(timings, 0.95)
        worst = max(worst, p95)
        print(
            f"{'emergency, +' + str(per_request) + ' new ev':<22} {'':>8} "
            f"{statistics.median(timings):>8.1f} {p95:>8.1f}"
        )
    print(f"worst p95: {worst:.1f} ms")
    if args.max_p95_ms is not None and worst > args.max_p95_ms:
        print(f"FAIL: p95 above {args.max_p95_ms} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
