"""Benchmark: the staff requests inbox on 10,000 requests in PostgreSQL (issue 13).

Creates a fresh PostgreSQL database, runs the migrations, stores booking and handoff requests
(about 3 in 4 bookings, spread over 90 days, mixed statuses), signs in and requests inbox pages
through the real web app, printing p50/p95 per view. Prints figures only; no time assertion.

Not a test: ``make bench`` runs it. Needs PostgreSQL (MEND_BENCH_PG_ADMIN_URL, default
postgresql://postgres@127.0.0.1:5432/test). Usage:
    .venv/bin/python bench/staff_inbox_bench.py [--requests 10000] [--repeat 40]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import sqlalchemy as sa

STATUSES = ["new"] * 2 + ["contacted"] * 2 + ["booked"] * 3 + ["closed"] * 3
VIEWS = {
    "open (default)": "",
    "today": "today=1",
    "all, page 20": "status=all&page=20",
    "booked": "status=booked",
    "handoffs": "kind=handoff",
    "reference search": "ref={ref}",
}


def rows(count: int, seed: int = 13):
    """(kind, values) for ``count`` requests."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc)
    for index in range(count):
        common = {
            "reference": f"MEND-{index:05d}"[-10:],
            "idempotency_key": f"bench-{index}",
            "conversation_id": uuid.UUID(int=rng.getrandbits(128)).hex,
            "channel": rng.choice(["rest", "socketio", "twilio"]),
            "contact_kind": "phone",
            "contact_value": f"+1720555{index % 10000:04d}",
            "reason": "low back pain",
            "status": rng.choice(STATUSES),
            "created_at": now - dt.timedelta(seconds=rng.uniform(0, 90 * 86400)),
        }
        if rng.random() < 0.75:
            yield (
                "booking",
                {
                    **common,
                    "name": f"Patient {index}",
                    "clinic_location": rng.choice(["boulder", "lafayette"]),
                    "preferred_times": "weekday mornings",
                },
            )
        else:
            yield "handoff", common


def fill(url: str, count: int) -> str:
    """Insert the requests; returns one reference to search for."""
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, only=["booking_requests", "handoff_requests"])
    batches: dict[str, list] = {"booking": [], "handoff": []}
    for kind, values in rows(count):
        batches[kind].append(values)
    with engine.begin() as conn:
        for kind, values in batches.items():
            if values:
                conn.execute(meta.tables[f"{kind}_requests"].insert(), values)
        conn.execute(sa.text("ANALYZE booking_requests"))
        conn.execute(sa.text("ANALYZE handoff_requests"))
    engine.dispose()
    return batches["booking"][len(batches["booking"]) // 2]["reference"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(url: str, args: argparse.Namespace) -> None:
    os.environ.update(
        DATABASE_URL=url, STAFF_SECRET_KEY="bench-" + uuid.uuid4().hex, STAFF_TIMEZONE="UTC"
    )
    from starlette.testclient import TestClient

    from bot.db.migrate import upgrade
    from bot.staff import auth
    from bot.web.app import create_app

    upgrade(url)
    started = time.perf_counter()
    reference = fill(url, args.requests)
    print(f"stored {args.requests} requests in {time.perf_counter() - started:.1f}s")
    auth.add_user("bench@mendpt.example", "bench password 123", "staff")
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
        print(f"{'inbox view':<20} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
        worst = 0.0
        for label, query in VIEWS.items():
            timings = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                response = client.get(f"/staff/?{query.format(ref=reference)}")
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.status_code
            matches = re.search(r"(\d+) requests?", response.text).group(1)
            p95 = percentile(timings, 0.95)
            worst = max(worst, p95)
            print(f"{label:<20} {matches:>8} {statistics.median(timings):>8.1f} {p95:>8.1f}")
    print(f"inbox p95 with {args.requests} requests (worst view): {worst:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=40, help="requests per view")
    args = parser.parse_args()
    print(f"\n== Staff requests inbox, {args.requests:,} requests in PostgreSQL", flush=True)
    admin_url = os.environ.get(
        "MEND_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"mend_bench_inbox_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        run(admin.url.set(database=name).render_as_string(hide_password=False), args)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
