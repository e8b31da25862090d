"""The SMS tables on PostgreSQL, where several Rasa servers share one database.

A fresh database per run; skipped when PostgreSQL is unreachable, unless CI=true.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.sms import store
from tests.support.services import fresh_postgres_database

from .helpers import migrate, reset_caches


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with fresh_postgres_database("mend_test_sms") as url:
        try:
            migrate(url)
            yield url
        finally:
            reset_caches()


@pytest.fixture
def on_postgres(pg_url, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", pg_url)
    reset_caches()
    yield pg_url
    reset_caches()


def _all_at_once(function, argument, times: int = 8) -> list:
    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(lambda _: function(argument), range(times)))


def test_a_message_sid_retried_to_many_servers_at_once_is_claimed_once(on_postgres):
    results = _all_at_once(store.claim_message, "SM" + uuid.uuid4().hex)

    assert results.count(True) == 1


def test_simultaneous_stops_confirm_once_and_start_lifts_it(on_postgres):
    phone = "+1720555" + str(uuid.uuid4().int)[:4]

    results = _all_at_once(store.opt_out, phone)

    assert results.count(True) == 1
    assert store.is_opted_out(phone)
    assert store.opt_in(phone) is True
    assert not store.is_opted_out(phone)
    assert store.opt_out(phone) is True  # opting out again is a new opt-out: confirmed


def test_offered_options_are_replaced_not_duplicated(on_postgres):
    phone = "+1303555" + str(uuid.uuid4().int)[:4]

    _all_at_once(lambda p: store.save_options(p, [{"title": "A", "payload": "/a"}]), phone)
    store.save_options(phone, [{"title": "B", "payload": "/b"}])

    assert store.load_options(phone) == [{"title": "B", "payload": "/b"}]
