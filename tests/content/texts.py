"""Every patient-facing text the clinic edits as data, gathered from the files the bot reads.

The readability test and ``make bench`` read the texts from here rather than from a copy, so a
new or reworded answer, response, safety reply, SMS keyword reply or message the bot's code says
(data/knowledge/messages.yml) is measured the day it lands.
Placeholders such as ``{clinic_phone}`` are filled with the example values from clinic.yml (and a
red flag's own label), because a patient never sees the braces.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import textstat
import yaml

from bot.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "data" / "knowledge"
DOMAIN = PROJECT_ROOT / "domain.yml"

# Keys whose values are not prose a patient reads as a sentence: a citation line.
NOT_PROSE = {"source"}


@dataclass(frozen=True)
class PatientText:
    """One text as a patient reads it; ``where`` names the file and the field to edit."""

    where: str
    text: str
    health: bool = False

    @property
    def grade(self) -> float:
        return grade(self.text)


def grade(text: str) -> float:
    """Flesch-Kincaid grade level (textstat 0.7.3, syllables by pyphen)."""
    return float(textstat.flesch_kincaid_grade(text))


def _load(path: Path) -> dict[str, Any]:
    content = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return content if isinstance(content, dict) else {}


def _flat(text: Any) -> str:
    return " ".join(str(text).split())


def example_values() -> dict[str, Any]:
    """What a patient sees in place of each placeholder, from the clinic's own data."""
    clinic = _load(KNOWLEDGE / "clinic.yml")
    name = str(clinic.get("name") or "Mend Physical Therapy")
    phone = str(clinic.get("phone") or "(303) 555-0100")
    return {
        "clinic_name": name,
        "clinic_phone": phone,
        "emergency_number": str(clinic.get("emergency_number") or "911"),
        "phone_line": f"call {name} at {phone}",
        "reference": "H-4821",
        "contact": "(303) 555-0123",
        "masked_number": "+1 ***-***-0123",
        "booking_url": "https://example.com/book",
        "hours": "Mon-Fri 7am-7pm",
        # messages.yml: the channel's limits (numbers, written with a thousands separator) ...
        "length": 5200,
        "limit": 2000,
        # ... the contact re-asks, built around what the patient typed ...
        "names": "Boulder or Lafayette",
        "count": 9,
        "characters": "#",
        "area": "013",
        "exchange": "055",
        "first": "0",
        "domain": "example",
        "ending": "c0m",
        # ... and the replies built from the knowledge base.
        "title": "Why check my hips if my back hurts?",
        "design": "It looked for links in 59 people with long-term low back pain",
        "name": "Boulder",
        "city": "Boulder, Colorado",
        "address": "1 Main Street",
        "url": "https://doi.org/10.12659/MSM.925080",
        "number": 1,
        "choice": "1 for Boulder",
        "choices": "1 for Boulder",
        "last": "2 for Lafayette",
    }


# A placeholder with no example above (a response added since) reads as one short word.
STAND_IN = "it"


def fill(template: str, values: dict[str, Any]) -> str | None:
    """The template with its placeholders filled; None if it is nothing but one placeholder
    (e.g. ``{urgent_reply}``, a text finished elsewhere and measured where it is written)."""
    if re.fullmatch(r"\s*\{\w+\}\s*", template):
        return None
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{**dict.fromkeys(names, STAND_IN), **values})


def topic_texts() -> Iterator[PatientText]:
    for topic in _load(KNOWLEDGE / "topics.yml").get("topics") or []:
        for field in ("answer", "details"):
            if topic.get(field):
                where = f"topics.yml {topic['id']}.{field}"
                yield PatientText(where, _flat(topic[field]), health=True)


def domain_texts() -> Iterator[PatientText]:
    values = example_values()
    for name, variations in (_load(DOMAIN).get("responses") or {}).items():
        for index, variation in enumerate(variations or []):
            where = f"domain.yml {name}[{index}]"
            text = fill(_flat(variation.get("text") or ""), values)
            if text:
                yield PatientText(where, text)


def _first_labels(content: dict[str, Any]) -> dict[str, str]:
    """The first red flag's label in each tier: the example for {label}/{labels}."""
    labels: dict[str, str] = {}
    for flag in content.get("red_flags") or []:
        if flag.get("label"):
            labels.setdefault(str(flag.get("tier", "")), str(flag["label"]))
    return labels


def red_flag_texts() -> Iterator[PatientText]:
    """The safety replies in red_flags.yml (each tier's advice, the shared replies), if any."""
    content = _load(KNOWLEDGE / "red_flags.yml")
    labels = _first_labels(content)
    any_label = next(iter(labels.values()), "new trouble peeing")
    values = example_values()
    for tier, entry in (content.get("tiers") or {}).items():
        label = labels.get(str(tier), any_label)
        for key, text in (entry or {}).items():
            if key in ("advice", "mention") and isinstance(text, str):
                where = f"red_flags.yml tiers.{tier}.{key}"
                filled = fill(_flat(text), {**values, "label": label, "labels": label})
                if filled:
                    yield PatientText(where, filled)
    for key, text in (content.get("replies") or {}).items():
        if key not in NOT_PROSE and isinstance(text, str):
            where = f"red_flags.yml replies.{key}"
            filled = fill(_flat(text), {**values, "label": any_label, "labels": any_label})
            if filled:
                yield PatientText(where, filled)


def sms_keyword_texts() -> Iterator[PatientText]:
    values = example_values()
    for key, text in (_load(KNOWLEDGE / "sms_keywords.yml").get("replies") or {}).items():
        where = f"sms_keywords.yml replies.{key}"
        filled = fill(_flat(text), values)
        if filled:
            yield PatientText(where, filled)


def _fields(content: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted field, text) for every text in a nested mapping, in file order."""
    for key, value in content.items():
        if isinstance(value, dict):
            yield from _fields(value, f"{prefix}{key}.")
        elif isinstance(value, str) and key != "version":
            yield f"{prefix}{key}", value


# messages.yml fields not read as a sentence on their own: labels and button titles (as in
# domain.yml, where a response's buttons are not measured either), and pieces of the replies
# built in bot/replies.py, measured inside them (built_reply_texts).
MESSAGE_PIECES = {
    "booking.or",
    "booking.not_given",
    "replies.book_button",
    "replies.human_button",
    "replies.phone_line",
    "replies.phone_line_hours",
    "replies.locations_intro",
    "replies.location",
    "replies.location_address",
    "replies.book_online",
    "sms.choice",
    "sms.source_link",
    "sms.source",
}
MESSAGE_LABELS = ("booking.labels.", "booking.buttons.", "replies.intent_labels.", "citations.")


def message_texts() -> Iterator[PatientText]:
    """Every sentence of messages.yml (the words the bot's code says), placeholders filled."""
    values = example_values()
    for field, text in _fields(_load(KNOWLEDGE / "messages.yml")):
        if field in MESSAGE_PIECES or field.startswith(MESSAGE_LABELS):
            continue
        filled = fill(_flat(text), values)
        if filled:
            yield PatientText(f"messages.yml {field}", filled)


def built_reply_texts() -> Iterator[PatientText]:
    """Texts ``bot/replies.py`` builds around the data: sources, locations, "did you mean"."""
    from bot import replies
    from bot.citations import CITATION_TEXT_PREFIX
    from bot.knowledge import get_knowledge

    knowledge = get_knowledge()
    built = {
        "sources (all)": replies.sources_messages(knowledge, None),
        "sources (one answer)": replies.sources_messages(
            knowledge, next(iter(knowledge.topics.values()))
        ),
        "locations": replies.locations_messages(knowledge.clinic),
        "clarify": replies.clarify_messages(knowledge, ["why_check_hips"]),
        "second miss": replies.second_miss_messages(knowledge.clinic),
    }
    for name, messages in built.items():
        for message in messages:
            text = message.get("text")
            if text and not text.startswith(CITATION_TEXT_PREFIX):
                yield PatientText(f"bot/replies.py {name}", _flat(text))


def patient_texts() -> list[PatientText]:
    """Every patient-facing text kept as data, health answers first."""
    return [
        *topic_texts(),
        *domain_texts(),
        *red_flag_texts(),
        *sms_keyword_texts(),
        *message_texts(),
        *built_reply_texts(),
    ]
