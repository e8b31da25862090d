"""PostgreSQL and Redis for the tests of the scaled-out configuration.

On a machine without them those tests skip with a reason; with ``CI=true`` they fail instead,
because CI has both servers and a silent skip would hide a broken set-up.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

PG_ADMIN_URLS = [
    os.environ.get("MEND_TEST_PG_ADMIN_URL"),
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
]
REDIS_URL = os.environ.get("MEND_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def missing(reason: str) -> None:
    """Skip, or fail under CI, when a service or tool the test needs is not there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: it must be available)")
    pytest.skip(reason)


def postgres_admin_engine() -> sa.engine.Engine | None:
    for admin_url in filter(None, PG_ADMIN_URLS):
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect():
                return engine
        except Exception:  # noqa: BLE001 - try the next user
            engine.dispose()
    return None


@contextmanager
def fresh_postgres_database(prefix: str = "mend_test") -> Iterator[str]:
    """A new, empty PostgreSQL database for one test session; dropped afterwards."""
    admin = postgres_admin_engine()
    if admin is None:
        missing("PostgreSQL at 127.0.0.1:5432 (database test) is not reachable")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def redis_url() -> str:
    """The Redis server's URL, or skip (fail under CI) if nothing listens there."""
    parts = sa.engine.make_url(REDIS_URL.replace("redis://", "redis+x://"))
    try:
        with socket.create_connection((parts.host or "127.0.0.1", parts.port or 6379), timeout=2):
            return REDIS_URL
    except OSError:
        missing(f"Redis at {REDIS_URL} is not reachable")
    return REDIS_URL
