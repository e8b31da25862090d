"""Plain words for staff pages: topic titles, button choices, clinic names, readable ids, times.

Staff read conversations, not Rasa internals: a topic is shown by its title in the knowledge base
(``data/knowledge/topics.yml``), a button press by the button's title, a clinic by its name.
The labels for intents that are not health topics are staff-facing, so they live here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.db.types import as_utc
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

INTENT_LABELS = {
    "greet": "Hello",
    "goodbye": "Goodbye",
    "thank": "Thanks",
    "affirm": "Yes",
    "deny": "No",
    "stop": "Stop",
    "bot_challenge": "Are you a bot?",
    "out_of_scope": "Something else",
    "clinic_locations": "Clinic locations",
    "book_appointment": "Book an appointment",
    "talk_to_human": "Talk to a person",
    "emergency_symptoms": "Emergency symptoms",
    "ask_sources": "Sources",
    "change_booking": "Change the booking",
    "change_booking_field": "Change a booking detail",
    "inform": "Booking details",
    "manage_appointment": "Existing appointment",
    "diagnosis_request": "Asked for a diagnosis",
    "nlu_fallback": "Not understood",
}
# "/intent" or "/intent{...json...}", as Rasa buttons and the web widget send them.
_PAYLOAD = re.compile(r"^\s*/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?\s*$", re.DOTALL)


@lru_cache(maxsize=1)
def _knowledge() -> Any:
    try:
        from bot.knowledge import get_knowledge

        return get_knowledge()
    except Exception:  # noqa: BLE001 - staff pages must work with broken content too
        logger.warning("knowledge base unavailable: staff pages show intent names")
        return None


def topic_label(intent: str | None) -> str:
    """An intent as staff call it: the knowledge base's topic title, else a plain label."""
    if not intent:
        return "?"
    kb = _knowledge()
    topic = kb.topic(intent) if kb is not None else None
    if topic is not None:
        return topic.title
    return INTENT_LABELS.get(intent, intent.replace("_", " ").capitalize())


def topic_labels(topics: str | None) -> list[str]:
    """The summary's space-separated intents as titles, in order of first use."""
    return [topic_label(intent) for intent in (topics or "").split()]


def clinic_name(location: str | None) -> str:
    """ "lafayette" -> "Lafayette": the clinic's display name from ``clinic.yml``."""
    if not location:
        return ""
    kb = _knowledge()
    found = kb.clinic.location(location) if kb is not None else None
    return found.name if found is not None else location


def payload_intent(text: str | None) -> str | None:
    """The intent a button payload names ("/greet" -> "greet"), or None for typed text."""
    match = _PAYLOAD.match(text or "")
    return match.group("intent") if match else None


def _entities_text(text: str) -> str:
    match = _PAYLOAD.match(text or "")
    if not match or not match.group("entities"):
        return ""
    try:
        values = json.loads(match.group("entities"))
    except ValueError:
        return ""
    return ", ".join(str(v) for v in values.values()) if isinstance(values, dict) else ""


@lru_cache(maxsize=1)
def domain_button_titles() -> dict[str, str]:
    """Payload -> title for every button written in ``domain.yml`` responses."""
    try:
        domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return {}
    titles: dict[str, str] = {}
    for variants in (domain.get("responses") or {}).values():
        for variant in variants or []:
            for button in (variant or {}).get("buttons") or []:
                if button.get("payload") and button.get("title"):
                    titles.setdefault(str(button["payload"]), str(button["title"]))
    return titles


def choice_title(text: str, offered: dict[str, str]) -> str:
    """What a button press said: the title of the button offered, else a plain label."""
    if text in offered:
        return offered[text]
    titles = domain_button_titles()
    if text in titles:
        return titles[text]
    intent = payload_intent(text) or ""
    label = "Opened the chat" if intent == "greet" else topic_label(intent)
    extra = _entities_text(text)
    return f"{label}: {extra}" if extra else label


def conversation_name(conversation_id: int | None, channel: str | None) -> str:
    """A conversation as staff can say it aloud: "Web chat #12", "SMS #40"."""
    kind = {"sms": "SMS", "web": "Web chat"}.get(channel or "", "Conversation")
    return f"{kind} #{conversation_id}" if conversation_id else kind


def channel_name(channel: str | None) -> str:
    """Rasa's input channel name as staff know it."""
    name = (channel or "").lower()
    if "twilio" in name or name == "sms":
        return "SMS"
    if "socket" in name:
        return "Web chat"
    if name in {"rest", "web"}:
        return "Web (REST)"
    return channel or ""


def when(value: Any, tz: ZoneInfo, now: dt.datetime | None = None) -> str:
    """A time on one short line in the clinic's time zone: "Nov 25, 14:05" ("... 2025" if old)."""
    moment = as_datetime(value)
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    current = (now or dt.datetime.now(tz)).astimezone(tz)
    day = f"{local:%b} {local.day}" + (f" {local.year}" if local.year != current.year else "")
    return f"{day}, {local:%H:%M}"


def ago(value: Any, now: dt.datetime | None = None) -> str:
    """ "a moment ago", "5 minutes ago", "3 hours ago": how long since a change."""
    moment = as_datetime(value)
    if moment is None:
        return ""
    seconds = ((now or dt.datetime.now(dt.timezone.utc)) - moment).total_seconds()
    if seconds < 90:
        return "a moment ago"
    if seconds < 3600:
        return f"{round(seconds / 60)} minutes ago"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} hours ago"
    return f"{round(seconds / 86400)} days ago"


def as_datetime(value: Any) -> dt.datetime | None:
    """A stored time as aware UTC, or None when there is none.

    Every table stores :class:`bot.db.types.UTCDateTime` and transcripts convert Rasa's epoch
    seconds when they read them, so anything but a datetime here means "no time".
    """
    return as_utc(value) if isinstance(value, dt.datetime) else None


_US_PHONE = re.compile(r"^\+1(\d{3})(\d{3})(\d{4})$")


def phone_display(value: str | None) -> str:
    """ "+17205550123" -> "(720) 555-0123", as the front desk dials it; anything else unchanged."""
    match = _US_PHONE.match(value or "")
    return f"({match.group(1)}) {match.group(2)}-{match.group(3)}" if match else (value or "")
