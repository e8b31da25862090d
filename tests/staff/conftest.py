"""Fixtures for the staff review tests: a migrated SQLite database holding conversations written
by Rasa's own SQLTrackerStore, booking/handoff/opt-out rows, two staff accounts, and a client.

Conversations happen "yesterday" (UTC, fixed to the start of the day) so date filters are
deterministic; one is 100 days old for the retention tests.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.db import get_engine
from bot.db.migrate import upgrade
from bot.settings import get_settings
from bot.staff import auth, views

from .eventgen import Turn, conversation, save_with_rasa

PASSWORD = "correct horse battery staple"
ADMIN = "admin@mendpt.example"
STAFF = "staff@mendpt.example"
REVIEWER = "reviewer@mendpt.example"
TODAY = dt.datetime.now(dt.timezone.utc).date()
YESTERDAY = TODAY - dt.timedelta(days=1)
BASE = dt.datetime.combine(YESTERDAY, dt.time(8, 0), tzinfo=dt.timezone.utc).timestamp()
OLD = BASE - 100 * 86400

SMS_PERSON = "+17205550199"
SMS_STOP = "+13035550111"

CONVERSATIONS = {
    "web-emergency": (
        BASE + 3600 * 1,
        "rest",
        [
            Turn(
                "I have numbness in my groin and I can't control my bladder",
                "emergency_symptoms",
                0.97,
                ["Please call 911 or go to the nearest emergency room now."],
            ),
        ],
    ),
    "web-fallback": (
        BASE + 3600 * 2,
        "socketio",
        [
            Turn(
                "hello <script>alert('x')</script> is the weather nice",
                "nlu_fallback",
                0.31,
                ["Sorry, I didn't get that."],
                actions=["action_clarify"],
            ),
        ],
    ),
    "web-booking": (
        BASE + 3600 * 3,
        "rest",
        [
            Turn(
                "I'd like to book an appointment, call me at 303-555-0142",
                "book_appointment",
                0.95,
                ["Sure, let's book."],
                loop="booking_form",
            ),
        ],
    ),
    SMS_PERSON: (
        BASE + 3600 * 4,
        "twilio",
        [
            Turn("can I talk to a real person", "talk_to_human", 0.9, ["I'll ask the front desk."]),
        ],
    ),
    SMS_STOP: (
        BASE + 3600 * 5,
        "twilio",
        [
            Turn("why check my hips", "why_check_hips", 0.88, ["Because..."]),
            Turn("STOP", "stop", 0.99, ["You're unsubscribed."]),
        ],
    ),
    "web-hips": (
        BASE + 3600 * 6,
        "rest",
        [
            Turn(
                "why do you check hips when my back hurts",
                "why_check_hips",
                0.92,
                ["Good question."],
            ),
            Turn("my email is jane.doe@example.com", "greet", 0.55, ["Thanks."]),
        ],
    ),
    "web-old": (
        OLD,
        "rest",
        [
            Turn("old question about sciatica", "pt_for_back_pain", 0.9, ["Answer."]),
        ],
    ),
}


def populate(url: str) -> None:
    """Conversations through Rasa's tracker store, then the other features' rows."""
    save_with_rasa(
        url,
        {
            sender: conversation(start, turns, channel)
            for sender, (start, channel, turns) in CONVERSATIONS.items()
        },
    )
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, only=["booking_requests", "handoff_requests", "sms_opt_outs"])
    at = dt.datetime.fromtimestamp(BASE + 3600 * 3 + 60, dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(
            meta.tables["booking_requests"]
            .insert()
            .values(
                reference="BK-7Q2X",
                idempotency_key="k1",
                conversation_id="web-booking",
                channel="rest",
                name="Pat Example",
                contact_kind="phone",
                contact_value="+13035550142",
                clinic_location="boulder",
                preferred_times="mornings",
                reason="low back pain",
                status="new",
                created_at=at,
            )
        )
        conn.execute(
            meta.tables["handoff_requests"]
            .insert()
            .values(
                reference="HO-1ABC",
                idempotency_key="k2",
                conversation_id=SMS_PERSON,
                channel="twilio",
                contact_kind="phone",
                contact_value=SMS_PERSON,
                reason="wants a person",
                status="new",
                created_at=at + dt.timedelta(hours=1),
            )
        )
        conn.execute(
            meta.tables["sms_opt_outs"]
            .insert()
            .values(
                phone_e164=SMS_STOP,
                opted_out_at=at + dt.timedelta(hours=2),
                opted_in_at=None,
            )
        )
    engine.dispose()


def reset_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()
    auth.clear_caches()
    views.known_intents.cache_clear()


@pytest.fixture(scope="package")
def staff_db(tmp_path_factory) -> Iterator[str]:
    """The shared fixture database URL, with the environment pointing at it."""
    folder = tmp_path_factory.mktemp("staff")
    url = f"sqlite:///{folder / 'mend.db'}"
    saved = {
        k: os.environ.get(k)
        for k in (
            "DATABASE_URL",
            "MEND_DATA_DIR",
            "STAFF_SECRET_KEY",
            "STAFF_TIMEZONE",
            "STAFF_COOKIE_SECURE",
        )
    }
    os.environ.update(DATABASE_URL=url, MEND_DATA_DIR=str(folder), STAFF_TIMEZONE="UTC")
    os.environ.pop("STAFF_SECRET_KEY", None)
    os.environ.pop("STAFF_COOKIE_SECURE", None)
    reset_caches()
    upgrade(url)
    populate(url)
    auth.add_user(ADMIN, PASSWORD, "admin")
    auth.add_user(STAFF, PASSWORD, "staff")
    auth.add_user(REVIEWER, PASSWORD, "reviewer")
    yield url
    get_engine().dispose()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_caches()


@pytest.fixture
def app(staff_db):
    from bot.web.app import create_app

    return create_app()


@pytest.fixture
def server_url(staff_db):
    """The web app served by uvicorn on a free port, for the browser tests."""
    import uvicorn

    from bot.web.app import create_app
    from tests.support.live_bot import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            ws="none",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def client(app):
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client, email: str = STAFF, password: str = PASSWORD):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


@pytest.fixture
def staff_client(client):
    assert sign_in(client).status_code == 303
    return client


@pytest.fixture
def admin_client(client):
    assert sign_in(client, ADMIN).status_code == 303
    return client


def conversation_id(sender_id: str) -> int:
    from bot.staff.summary import summaries, sync

    sync(get_engine())
    with get_engine().connect() as conn:
        return conn.execute(
            sa.select(summaries.c.id).where(summaries.c.sender_id == sender_id)
        ).scalar_one()
