"""Clinic settings still on their example values, named at start-up so nothing goes live unset.

The project ships with placeholders (an example 555-01xx phone number, no blog address, no
booking link, no opening hours) so it runs out of the box. The web app prints one warning line
for each at start (``make run``), naming the setting that fills it in.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO
from urllib.parse import urlsplit

from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.settings import Settings, get_settings

# 555-0100 to 555-0199 are reserved for fiction in North America: never a real clinic's number.
EXAMPLE_PHONE = re.compile(r"555\D{0,2}01\d\d(?!\d)")
CLINIC_FILE = "data/knowledge/clinic.yml"


def _is_example_url(url: str | None) -> bool:
    """Unset, local, or on an example domain (example.com, example-clinic.com, ...)."""
    host = (urlsplit(url or "").hostname or "").lower()
    if not host or host in {"localhost", "127.0.0.1"}:
        return True
    return any(label == "example" or label.startswith("example-") for label in host.split("."))


def example_settings(knowledge: KnowledgeBase, settings: Settings) -> list[str]:
    """One line per clinic setting still on its example value (empty when all are real)."""
    clinic = knowledge.clinic
    warnings: list[str] = []
    blogs = [s for s in knowledge.sources.values() if s.kind == "blog_post"]
    if any(not source.url for source in blogs):
        warnings.append(
            "blog URL unset: set MEND_BLOG_URL to the blog post's public address "
            "(until then the post is cited without a link)"
        )
    if clinic.phone_is_example or EXAMPLE_PHONE.search(clinic.phone):
        warnings.append(
            f"clinic phone {clinic.phone} is an example number: set CLINIC_PHONE "
            f"(or phone in {CLINIC_FILE})"
        )
    if _is_example_url(clinic.booking_url):
        warnings.append(
            "booking link unset or an example: set CLINIC_BOOKING_URL to the clinic's online "
            f"scheduling page (or booking_url in {CLINIC_FILE})"
        )
    if not clinic.hours:
        warnings.append(
            f'opening hours unset: set CLINIC_HOURS, e.g. "Mon-Fri 7am-7pm" (or hours in '
            f"{CLINIC_FILE})"
        )
    return warnings


def warn_example_settings(stream: TextIO | None = None) -> list[str]:
    """Print a one-line warning for each example clinic setting; never stops the start."""
    stream = stream or sys.stderr
    settings = get_settings()
    try:
        warnings = example_settings(load_knowledge(settings), settings)
    except KnowledgeError as error:
        warnings = [f"clinic settings could not be checked: {error}"]
    for warning in warnings:
        print(f"WARNING clinic setting: {warning}", file=stream, flush=True)
    return warnings
