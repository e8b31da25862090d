"""Carrier keywords (STOP, START, HELP), matched the way Twilio matches them.

Twilio and the carriers act on a message that is exactly one keyword (any case, surrounding
spaces ignored), so the bot does the same and its opt-out records agree with Twilio's. That
means a message that is just "cancel" is an opt-out on SMS even in the middle of a booking
form (where "cancel" would otherwise stop the form): Twilio itself stops delivering our
messages after it, so treating it as anything else would leave the patient without replies.
A longer message ("cancel my booking", "please stop") is an ordinary message for the bot.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import yaml

from bot.knowledge import Clinic, KnowledgeError
from bot.settings import get_settings

# The wording of the replies is data the clinic edits: data/knowledge/sms_keywords.yml.
REPLIES_FILE = "sms_keywords.yml"
PLACEHOLDERS = {"clinic_name", "clinic_phone", "emergency_number"}

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"

KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), OPT_OUT),
    **dict.fromkeys(("START", "UNSTOP"), OPT_IN),
    **dict.fromkeys(("HELP", "INFO"), HELP),
}


def keyword_of(text: str | None) -> str | None:
    """OPT_OUT, OPT_IN or HELP if the whole message is that keyword, else None."""
    if not text:
        return None
    return KEYWORDS.get(text.strip().upper())


def opt_out_reply(clinic: Clinic) -> str:
    return _reply("opt_out", clinic)


def opt_in_reply(clinic: Clinic) -> str:
    return _reply("opt_in", clinic)


def help_reply(clinic: Clinic) -> str:
    return _reply("help", clinic)


def _reply(key: str, clinic: Clinic) -> str:
    template = load_replies(get_settings().knowledge_dir / REPLIES_FILE)[key]
    return template.format(
        clinic_name=clinic.name,
        clinic_phone=clinic.phone,
        emergency_number=clinic.emergency_number,
    )


@lru_cache(maxsize=4)
def load_replies(path: Path) -> dict[str, str]:
    """The keyword replies, checked once: the clinic edits their wording as data, and a reply
    that is missing or names an unknown placeholder must stop the bot, not a patient's STOP."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    replies = content.get("replies") if isinstance(content, dict) else None
    if not isinstance(replies, dict):
        raise KnowledgeError(f"{path}: expected the keyword replies under 'replies'")
    checked: dict[str, str] = {}
    for key in (OPT_OUT, OPT_IN, HELP):
        text = replies.get(key)
        if not isinstance(text, str) or not text.strip():
            raise KnowledgeError(f"{path}: missing required field 'replies.{key}'")
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        unknown = sorted(names - PLACEHOLDERS)
        if unknown:
            raise KnowledgeError(
                f"{path}: replies.{key} uses unknown placeholder(s) {unknown}; "
                f"use {sorted(PLACEHOLDERS)}"
            )
        checked[key] = " ".join(text.split())
    return checked
