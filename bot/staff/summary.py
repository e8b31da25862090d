"""The conversation summary table, kept current from Rasa's ``events`` table.

Reading 200,000 events on every list request would be slow, so each conversation gets one summary
row (channel, start, first question, turns, topics, flags, searchable text). :func:`sync` reads
only events with an id above the last one processed, and rebuilds the summaries of the
conversations they belong to from all of their events: a rebuild is idempotent, so running it
twice (two web workers, or re-reading a window) never double-counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bot.db.types import from_epoch, utcnow
from bot.staff.models import ConversationSummary, StaffSyncState, events

LOW_CONFIDENCE = 0.6
EMERGENCY_INTENTS = frozenset({"emergency_symptoms"})
FALLBACK_INTENTS = frozenset({"nlu_fallback"})
FALLBACK_ACTIONS = frozenset(
    {"action_clarify", "action_default_fallback", "action_two_stage_fallback"}
)
BOOKING_LOOPS = frozenset({"booking_form"})
SUBMIT_BOOKING_ACTION = "action_submit_booking"
PERSON_INTENTS = frozenset({"talk_to_human"})
# Small talk and form answers, which say nothing about what the patient came for.
NOT_TOPICS = frozenset(
    {"greet", "goodbye", "affirm", "deny", "thank", "thanks", "nlu_fallback", "inform"}
)

# Events committed out of id order (two Rasa servers) are caught by re-reading this many ids.
REREAD_WINDOW = 200
BATCH_EVENTS = 5000
SEARCH_TEXT_LIMIT = 20000

summaries = ConversationSummary.__table__
sync_state = StaffSyncState.__table__


def channel_kind(input_channel: str | None, sender_id: str) -> str:
    """'web' or 'sms' (what staff care about), from Rasa's input channel name."""
    name = (input_channel or "").lower()
    if "twilio" in name or "sms" in name:
        return "sms"
    if name in {"rest", "socketio", "web", "widget"} or "rest" in name or "socket" in name:
        return "web"
    if sender_id.startswith("+") and sender_id[1:].isdigit():
        return "sms"
    return "other" if name else "web"


def is_payload(text: str) -> bool:
    """A button press or the widget's opening "/greet": not something the patient typed."""
    return text.lstrip().startswith("/")


def user_intent(data: dict[str, Any]) -> tuple[str | None, float | None]:
    intent = (data.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name"), float(confidence) if confidence is not None else None


@dataclass
class _Summary:
    sender_id: str
    started_at: float | None = None
    last_at: float | None = None
    input_channel: str | None = None
    first_question: str | None = None
    turns: int = 0
    topics: list[str] = field(default_factory=list)
    has_fallback: bool = False
    has_emergency: bool = False
    has_booking: bool = False
    has_person: bool = False
    min_confidence: float | None = None
    texts: list[str] = field(default_factory=list)
    event_count: int = 0
    last_event_id: int = 0
    slots: dict[str, Any] = field(default_factory=dict)
    submitting: str | None = None  # the booking key being sent by the current action
    failed_keys: list[str] = field(default_factory=list)

    def add(self, row: Any) -> None:
        self.event_count += 1
        self.last_event_id = max(self.last_event_id, row.id)
        if row.timestamp is not None:
            self.started_at = (
                row.timestamp if self.started_at is None else min(self.started_at, row.timestamp)
            )
            self.last_at = (
                row.timestamp if self.last_at is None else max(self.last_at, row.timestamp)
            )
        try:
            data = json.loads(row.data or "{}")
        except ValueError:
            data = {}
        if row.type_name in ("user", "action"):
            self._end_submit()
        if row.type_name == "user":
            self._add_user(row, data)
        elif row.type_name == "action":
            self._add_action(row.action_name or "")
        elif row.type_name == "slot":
            self._add_slot(data.get("name"), data.get("value"))
        elif row.type_name == "active_loop" and data.get("name") in BOOKING_LOOPS:
            self.has_booking = True

    def _add_action(self, name: str) -> None:
        if name in FALLBACK_ACTIONS:
            self.has_fallback = True
        key, contact = self.slots.get("booking_key"), self.slots.get("booking_contact")
        if name == SUBMIT_BOOKING_ACTION and key and contact:
            self.submitting = str(key)

    def _add_slot(self, name: Any, value: Any) -> None:
        """Follows the booking slots; a reference coming back means the request was stored."""
        self.slots[str(name)] = value
        if self.submitting is None:
            return
        if name == "booking_reference" and value:
            if self.submitting in self.failed_keys:  # a retry of the same request worked
                self.failed_keys.remove(self.submitting)
            self.submitting = None
        elif name == "booking_key" and not value:  # discarded, not sent: no failure
            self.submitting = None

    def _end_submit(self) -> None:
        """The send action's events are over: no reference came back, so nothing was stored."""
        if self.submitting is not None and self.submitting not in self.failed_keys:
            self.failed_keys.append(self.submitting)
        self.submitting = None

    def _add_user(self, row: Any, data: dict[str, Any]) -> None:
        text = data.get("text") or ""
        intent, confidence = user_intent(data)
        intent = intent or row.intent_name
        self.turns += 1
        self.input_channel = self.input_channel or data.get("input_channel")
        if self.first_question is None and text.strip() and not is_payload(text):
            self.first_question = text.strip()[:500]
        if text:
            self.texts.append(text.lower())
        if intent and intent not in NOT_TOPICS and intent not in self.topics:
            self.topics.append(intent)
        if confidence is not None:
            self.min_confidence = (
                confidence if self.min_confidence is None else min(self.min_confidence, confidence)
            )
            if confidence < LOW_CONFIDENCE:
                self.has_fallback = True
        self.has_fallback |= intent in FALLBACK_INTENTS
        self.has_emergency |= intent in EMERGENCY_INTENTS
        self.has_person |= intent in PERSON_INTENTS

    def values(self) -> dict[str, Any]:
        self._end_submit()
        now = utcnow()
        return {
            "sender_id": self.sender_id,
            "channel": channel_kind(self.input_channel, self.sender_id),
            "input_channel": self.input_channel,
            # Rasa's event timestamps are epoch seconds; the summary holds UTC datetimes.
            "started_at": from_epoch(self.started_at) or now,
            "last_at": from_epoch(self.last_at) or now,
            "first_question": self.first_question,
            "turns": self.turns,
            "topics": " ".join(self.topics),
            "has_fallback": self.has_fallback,
            "has_emergency": self.has_emergency,
            "has_booking": self.has_booking,
            "booking_failed_keys": " ".join(self.failed_keys[-20:]) or None,
            "has_person": self.has_person,
            "min_confidence": self.min_confidence,
            "search_text": "\n".join(self.texts)[:SEARCH_TEXT_LIMIT],
            "event_count": self.event_count,
            "last_event_id": self.last_event_id,
        }


def summarize(rows: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Summary values per sender id from event rows (ordered by id)."""
    result: dict[str, _Summary] = {}
    for row in rows:
        result.setdefault(row.sender_id, _Summary(row.sender_id)).add(row)
    return {sender: summary.values() for sender, summary in result.items()}


def events_table_exists(engine: sa.engine.Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def _rebuild(conn: sa.engine.Connection, sender_ids: set[str]) -> None:
    """Recompute the summaries of ``sender_ids`` from all their events (insert or update)."""
    ids = sorted(sender_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            sa.select(events).where(events.c.sender_id.in_(chunk)).order_by(events.c.id)
        ).fetchall()
        values = summarize(rows)
        existing = {
            row.sender_id: row.id
            for row in conn.execute(
                sa.select(summaries.c.id, summaries.c.sender_id).where(
                    summaries.c.sender_id.in_(chunk)
                )
            )
        }
        updates = [dict(v, _id=existing[s]) for s, v in values.items() if s in existing]
        inserts = [v for s, v in values.items() if s not in existing]
        if updates:
            conn.execute(
                summaries.update().where(summaries.c.id == sa.bindparam("_id")),
                updates,
            )
        if inserts:
            conn.execute(summaries.insert(), inserts)


def _watermark(conn: sa.engine.Connection) -> int:
    value = conn.execute(sa.select(sync_state.c.last_event_id).where(sync_state.c.id == 1)).scalar()
    if value is None:
        conn.execute(sync_state.insert().values(id=1, last_event_id=0, updated_at=utcnow()))
        return 0
    return int(value)


def sync(engine: sa.engine.Engine, max_batches: int | None = None) -> int:
    """Bring the summaries up to date with ``events``; returns how many events were read.

    Does nothing (no write) when no event arrived since the last call, so calling it on every list
    request is cheap.
    """
    if not events_table_exists(engine):
        return 0
    processed = 0
    while max_batches is None or max_batches > 0:
        try:
            read = _sync_batch(engine, reread=processed == 0)
        except sa.exc.IntegrityError:
            return processed  # another worker inserted the same summaries at the same time
        if not read:
            return processed
        processed += read
        if max_batches is not None:
            max_batches -= 1
    return processed


def _sync_batch(engine: sa.engine.Engine, reread: bool) -> int:
    """One transaction: rebuild the conversations touched by the next batch of events."""
    with engine.begin() as conn:
        last = _watermark(conn)
        newest = conn.execute(sa.select(sa.func.max(events.c.id))).scalar()
        if newest is None or newest <= last:
            return 0
        upper = min(newest, last + BATCH_EVENTS)
        lower = max(0, last - REREAD_WINDOW) if reread else last
        senders = {
            row.sender_id
            for row in conn.execute(
                sa.select(events.c.sender_id)
                .where(events.c.id > lower, events.c.id <= upper)
                .distinct()
            )
        }
        _rebuild(conn, senders)
        conn.execute(
            sync_state.update()
            .where(sync_state.c.id == 1, sync_state.c.last_event_id < upper)
            .values(last_event_id=upper, updated_at=utcnow())
        )
        return upper - last


def rebuild_all(engine: sa.engine.Engine) -> int:
    """Forget the summaries and read every event again (after a purge or a rules change)."""
    with engine.begin() as conn:
        conn.execute(summaries.delete())
        conn.execute(sync_state.delete())
    return sync(engine)


def delete_summaries(conn: sa.engine.Connection, sender_ids: list[str]) -> None:
    for start in range(0, len(sender_ids), 500):
        conn.execute(
            summaries.delete().where(summaries.c.sender_id.in_(sender_ids[start : start + 500]))
        )
