"""A conversation as staff read it: what the patient wrote or chose, and what the bot said.

Button presses ("/affirm", '/inform{"booking_location": "boulder"}') show as the title of the
button the bot offered; the widget's opening "/greet" shows as "Opened the chat". Intents,
confidences, actions and form events are kept apart as ``details`` for the "details" toggle.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.db.types import from_epoch
from bot.staff.labels import choice_title, payload_intent, topic_label
from bot.staff.models import IntentCorrection, events
from bot.staff.summary import LOW_CONFIDENCE, user_intent

corrections = IntentCorrection.__table__
# Bookkeeping no reader needs, even in the details.
_HIDDEN_ACTIONS = {"action_listen", "action_session_start", None}


def transcript(engine: sa.engine.Engine, sender_id: str) -> list[dict[str, Any]]:
    """The conversation as turns: a patient message with what the bot said and did in reply."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(events).where(events.c.sender_id == sender_id).order_by(events.c.id)
        ).fetchall()
        fixed = {
            row.event_id: row.corrected_intent
            for row in conn.execute(
                sa.select(corrections.c.event_id, corrections.c.corrected_intent).where(
                    corrections.c.sender_id == sender_id
                )
            )
        }
    turns: list[dict[str, Any]] = []
    current = _opening()
    offered: dict[str, str] = {}  # payload -> title of the buttons the bot showed last
    for row in rows:
        data = _data(row)
        if row.type_name == "user":
            if current["text"] is not None or current["replies"]:
                turns.append(current)
            current = _patient_turn(row, data, offered, fixed.get(row.id))
            continue
        current["time"] = current["time"] or from_epoch(row.timestamp)
        if row.type_name == "bot":
            reply = _bot_reply(data)
            offered = {b["payload"]: b["title"] for b in reply.pop("offered")}
            current["replies"].append(reply)
        else:
            detail = _detail(row, data)
            if detail:
                current["details"].append(detail)
    if current["text"] is not None or current["replies"]:
        turns.append(current)
    return turns


def _opening() -> dict[str, Any]:
    return {"event_id": None, "time": None, "text": None, "replies": [], "details": []}


def _data(row: Any) -> dict[str, Any]:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _patient_turn(
    row: Any, data: dict[str, Any], offered: dict[str, str], corrected: str | None
) -> dict[str, Any]:
    text = data.get("text") or ""
    intent, confidence = user_intent(data)
    intent = intent or row.intent_name
    chose = payload_intent(text) is not None
    return {
        "event_id": row.id,
        "time": from_epoch(row.timestamp),
        "text": choice_title(text, offered) if chose else text,
        "chose": chose,
        "raw": text if chose else None,
        "intent": intent,
        "intent_label": topic_label(intent) if intent else None,
        "confidence": confidence,
        "low": confidence is not None and confidence < LOW_CONFIDENCE,
        "corrected": corrected,
        "channel": data.get("input_channel"),
        "replies": [],
        "details": [],
    }


def _bot_reply(data: dict[str, Any]) -> dict[str, Any]:
    extra = data.get("data") or {}
    buttons = [
        {"title": str(b.get("title") or ""), "payload": str(b.get("payload") or "")}
        for b in (extra.get("buttons") or [])
        if isinstance(b, dict)
    ]
    return {
        "kind": "bot",
        "text": data.get("text") or "",
        "buttons": [b["title"] for b in buttons if b["title"]],
        "offered": buttons,
    }


def _detail(row: Any, data: dict[str, Any]) -> str | None:
    """An internal event in a line, for the details toggle."""
    if row.type_name == "action" and row.action_name not in _HIDDEN_ACTIONS:
        return f"action: {row.action_name}"
    if row.type_name == "active_loop":
        name = data.get("name")
        return f"form {name} started" if name else "form ended"
    if row.type_name == "session_started":
        return "new session"
    return None
