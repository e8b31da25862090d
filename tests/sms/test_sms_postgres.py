"""The SMS tables on PostgreSQL, where several Rasa servers share one database.

A fresh database per run; skipped when PostgreSQL is unreachable, unless CI=true.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from bot.sms import store

from .helpers import migrate, reset_caches

PG_ADMIN_URLS = [
    os.environ.get("MEND_TEST_PG_ADMIN_URL"),
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
]


def _admin_engine() -> sa.engine.Engine | None:
    for url in filter(None, PG_ADMIN_URLS):
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect():
                return engine
        except sa.exc.OperationalError:
            engine.dispose()
    return None


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    admin = _admin_engine()
    if admin is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (CI=true)")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"mend_test_sms_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        reset_caches()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
