"""Rasa's tracker and lock stores, configured from the bot's settings.

``endpoints.yml`` names these classes so that one setting (``DATABASE_URL``, ``REDIS_URL``) decides
where conversations live, for every Rasa server. Both are Rasa's own stores underneath.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from bot.db import make_engine
from bot.settings import get_settings


class MendTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on ``DATABASE_URL`` (SQLite by default; PostgreSQL to scale)."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: Any = None,
        **kwargs: Any,
    ) -> None:
        url = get_settings().database_url
        make_engine(url).dispose()  # creates the SQLite folder when needed
        super().__init__(domain=domain, host=url, event_broker=event_broker)

    def _event_query(self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool):
        """Rasa's query for a conversation's events, selecting only their JSON.

        Rasa reads nothing else (``_retrieve`` decodes ``data``, ``_additional_events`` counts),
        yet loaded every row as an ORM object: with a conversation of 200 events that was a third
        of loading it (issue 12, ``docs/performance.md``). Same rows, same order.
        """
        query = super()._event_query(session, sender_id, fetch_events_from_all_sessions)
        return query.with_entities(self.SQLEvent.data)


def _redis_lock_store(url: str) -> RedisLockStore:
    """Rasa's Redis lock store from a ``redis://[user:password@]host:port/db`` URL."""
    parts = urlsplit(url)
    return RedisLockStore(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int(parts.path.strip("/") or 1),
        username=parts.username,
        password=parts.password,
        use_ssl=parts.scheme == "rediss",
        key_prefix="mend",
    )


class MendLockStore(LockStore):
    """Redis lock store when ``REDIS_URL`` is set (several Rasa servers), else in-memory."""

    def __init__(self, endpoint_config: Any = None) -> None:
        redis_url = get_settings().redis_url
        self.inner: LockStore = _redis_lock_store(redis_url) if redis_url else InMemoryLockStore()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.inner.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.inner.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.inner.save_lock(lock)
