"""Checks every channel applies to a patient's text before Rasa sees it.

Empty, oversized or binary input gets a clear reply instead of an error, and a red flag is
never lost because a message was too long to process: it is turned into the emergency intent.
Text that starts with "/" but is not wholly a button payload ("/@ my groin is numb",
"/greet{...} I lost control of my bladder") loses the slash, so Rasa reads it as the words it is:
the safety net checks it, and Rasa neither drops the words after a payload nor logs them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.channels.payloads import is_button_payload
from bot.channels.replies import empty_reply, too_long_reply
from bot.safety.guard import urgent_payload
from bot.settings import get_settings

# Control characters other than tab and newline: binary junk, never something a patient typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Lone UTF-16 surrogates (from broken clients) crash the tokenizer: never a patient's text.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class GuardResult:
    """Either ``text`` to process or a ``reply`` to send back without processing."""

    text: str | None = None
    reply: str | None = None


def clean_text(raw: str) -> str:
    """Normalise Unicode, drop control characters and collapse runs of whitespace."""
    text = unicodedata.normalize("NFKC", raw)
    text = _CONTROL.sub(" ", _SURROGATE.sub("", text))
    return " ".join(text.split())


def guard_text(raw: object, max_chars: int | None = None) -> GuardResult:
    """Decide what to do with a message's text (``raw`` may be anything a client sent)."""
    limit = max_chars or get_settings().max_message_chars
    if raw is None or not isinstance(raw, str):
        return GuardResult(reply=empty_reply())
    text = clean_text(raw)
    if text.startswith("/") and not is_button_payload(text):
        text = text.lstrip("/").strip()
    if not text:
        return GuardResult(reply=empty_reply())
    if len(text) > limit:
        payload = urgent_payload(text[: limit * 20])
        if payload:
            return GuardResult(text=payload)
        return GuardResult(reply=too_long_reply(len(text), limit))
    return GuardResult(text=text)
