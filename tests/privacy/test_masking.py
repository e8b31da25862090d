"""Phone numbers and emails are masked whatever separators or spelling a patient uses (issue 15)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

import bot.privacy
from bot.db import get_engine
from bot.privacy import mask_contacts_in_text

from .conftest import ODD_FORMATS, odd_sender


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("303_555_0142", "+1 ***-***-0142"),
        ("303,555,0142", "+1 ***-***-0142"),
        ("303.555.0142", "+1 ***-***-0142"),
        ("(303) 555 0142", "+1 ***-***-0142"),
        ("+1 303 555 0142", "+1 ***-***-0142"),
        ("303 - 555 - 0142", "+1 ***-***-0142"),
        ("3 0 3 5 5 5 0 1 4 2", "+1 ***-***-0142"),
        ("jane at example dot com", "j***@example.com"),
        ("jane [at] example [dot] com", "j***@example.com"),
        ("Jane (AT) Example (DOT) Com", "J***@example.com"),
        ("jane at example.com", "j***@example.com"),
    ],
)
def test_odd_formats_are_masked(typed: str, shown: str) -> None:
    masked = mask_contacts_in_text(f"you can reach me on {typed} after 5")
    assert typed not in masked
    assert "555" not in masked and "jane" not in masked.lower()
    assert shown in masked


@pytest.mark.parametrize(
    "text",
    [
        "Could I come 2026-11-25 09:00 or 11/26/2026 at 9:30?",
        "Pain 7/10 since 2024-03-01, worse after 45 minutes.",
        "Free 10:30-11:45 or 14:00-15:30 on weekdays",
        "It hurts most at night.Can you help?",
        "Mornings 9-11 are best, I'm 45, 180 lbs.",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_contacts_in_text(text) == text


def test_every_module_masks_with_bot_privacy() -> None:
    """Staff pages, bookings, SMS and notifier logs mask with one implementation, so a phone or
    email format it learns to catch is masked everywhere: no other module defines or re-exports
    a masking function."""
    package = Path(bot.privacy.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "privacy.py" and path.parent == package:
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"^def mask_", source, re.MULTILINE):
            offenders.append(f"{path.relative_to(package)} defines its own masking")
        for line in re.findall(r"^from (\S+) import .*\bmask_", source, re.MULTILINE):
            if line != "bot.privacy":
                offenders.append(f"{path.relative_to(package)} imports masking from {line}")
    assert offenders == []


def _conversation_id(sender_id: str) -> int:
    from bot.staff.summary import summaries, sync

    sync(get_engine())
    with get_engine().connect() as conn:
        return conn.execute(
            sa.select(summaries.c.id).where(summaries.c.sender_id == sender_id)
        ).scalar_one()


@pytest.mark.parametrize("index", range(len(ODD_FORMATS)))
def test_staff_transcript_masks_odd_formats(privacy_staff_client, index: int) -> None:
    typed, secret = list(ODD_FORMATS.items())[index]
    page = privacy_staff_client.get(f"/staff/conversations/{_conversation_id(odd_sender(index))}")
    assert page.status_code == 200
    assert "please call me back on" in page.text  # the turn is shown ...
    assert secret not in page.text and typed not in page.text  # ... with the contact masked
    assert "***" in page.text


def test_csv_export_masks_odd_formats(privacy_staff_client) -> None:
    response = privacy_staff_client.get("/staff/export/conversations.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    questions = [row for row in rows if "please call me back" in str(row)]
    assert len(questions) == len(ODD_FORMATS)
    for typed, secret in ODD_FORMATS.items():
        assert secret not in response.text, typed
