"""Exports: the conversation list as CSV (masked) and intent corrections as Rasa NLU YAML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.privacy import mask_contacts_in_text, mask_sender
from bot.staff.labels import topic_labels
from bot.staff.models import IntentCorrection
from bot.staff.queries import FLAGS

CSV_COLUMNS = (
    "started_at",
    "channel",
    "conversation",
    "first_question",
    "turns",
    "topics",
    *FLAGS,
    "reviewed",
    "tags",
)
FLAG_COLUMNS = CSV_COLUMNS[6:13]
corrections = IntentCorrection.__table__


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def conversations_csv(rows: Iterable[dict[str, Any]], tz: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        started = row["started_at"].astimezone(tz).isoformat(timespec="seconds")
        writer.writerow(
            _cell(value)
            for value in (
                started,
                row["channel"],
                mask_sender(row["sender_id"]),
                mask_contacts_in_text(row["first_question"] or ""),
                row["turns"],
                "; ".join(topic_labels(row["topics"])),
                *("yes" if row[f"flag_{name}"] else "" for name in FLAG_COLUMNS),
                "yes" if row.get("reviewed") else "",
                row.get("tags") or "",
            )
        )
    return out.getvalue()


def training_example(text: str) -> str:
    """A user message as one NLU example line: masked, on one line, with no entity markup."""
    text = mask_contacts_in_text(text or "")
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")


def nlu_yaml(engine: sa.engine.Engine, since: dt.datetime | None = None) -> str:
    """Corrections as Rasa 3 NLU training data, one block per intent, examples de-duplicated."""
    query = sa.select(corrections.c.corrected_intent, corrections.c.text).order_by(corrections.c.id)
    if since is not None:
        query = query.where(corrections.c.corrected_at >= since)
    by_intent: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        for row in conn.execute(query):
            example = training_example(row.text)
            if example and example not in by_intent[row.corrected_intent]:
                by_intent[row.corrected_intent].append(example)
    lines = ['version: "3.1"', "", "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {example}" for example in by_intent[intent]]
    if not by_intent:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"
