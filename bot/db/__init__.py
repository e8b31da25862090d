"""The project's own database: SQLAlchemy models beside Rasa's ``events`` table, in one database.

``DATABASE_URL`` picks it (SQLite file under the data dir by default, PostgreSQL to scale out).
Tables are created and upgraded by Alembic migrations in ``migrations/``
(``python -m bot db upgrade``),
never by ``create_all`` in the running app, so every server agrees on one schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from bot.settings import get_settings

Base = declarative_base()


def make_engine(url: str) -> sa.engine.Engine:
    """An engine for ``url``; for SQLite, create the folder and allow use across threads."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,  # errors must not copy patients' text into the logs
        )
    return sa.create_engine(
        url, pool_pre_ping=True, hide_parameters=True, connect_args={"connect_timeout": 10}
    )


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> sa.engine.Engine:
    return make_engine(url or get_settings().database_url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: commits on success, rolls back on any error."""
    session = sessionmaker(bind=get_engine(url), future=True)()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
