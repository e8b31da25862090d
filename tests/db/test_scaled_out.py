"""Scaled out: two Rasa servers share conversations in PostgreSQL, with Redis as the lock store.

Uses the real PostgreSQL and Redis servers (skipped without them, failing under CI=true).
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.conftest import texts
from tests.support.live_bot import start_live_bot
from tests.support.services import fresh_postgres_database, redis_url


@pytest.fixture(scope="module")
def scaled_bot(tmp_path_factory):
    with fresh_postgres_database("mend_test_scale") as database_url:
        bot = start_live_bot(
            tmp_path_factory.mktemp("scaled"),
            {"DATABASE_URL": database_url, "REDIS_URL": redis_url()},
        )
        try:
            second = bot.add_rasa_server()
            yield bot, second
        finally:
            bot.stop()


def post(url: str, sender: str, message: str) -> list[dict]:
    import httpx

    response = httpx.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert response.status_code == 200
    return response.json()


def test_a_conversation_moves_between_servers(scaled_bot) -> None:
    bot, second = scaled_bot
    post(bot.rasa_url, "scale-1", "what did the study find")
    # The other server knows what the last answer was: the tracker lives in PostgreSQL.
    reply = post(second, "scale-1", "where is that from?")
    assert "What did the study find?" in texts(reply)
    engine = sa.create_engine(bot.database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(
                sa.text("select count(*) from events where sender_id = 'rest:scale-1'")
            ).scalar()
            > 5
        )


def test_booking_across_servers_is_stored_once_even_with_a_double_confirm(scaled_bot) -> None:
    bot, second = scaled_bot
    sender = "scale-booking"
    servers = [bot.rasa_url, second]
    for turn, message in enumerate(
        ["book an appointment", "Kim Lee", "720-555-0188", "Lafayette", "evenings", "sciatica"]
    ):
        post(servers[turn % 2], sender, message)
    replies: list[str] = []
    taps = [
        threading.Thread(target=lambda url=url: replies.append(texts(post(url, sender, "/affirm"))))
        for url in servers
    ]
    for tap in taps:
        tap.start()
    for tap in taps:
        tap.join()
    engine = sa.create_engine(bot.database_url)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("select reference from booking_requests where conversation_id = :s"),
            {"s": f"rest:{sender}"},  # REST conversations are namespaced
        ).fetchall()
    assert len(stored) == 1
    assert any(stored[0][0] in reply for reply in replies)
