"""Checks every channel applies to a patient's text before Rasa sees it.

Empty, oversized or binary input gets a clear reply instead of an error, and a red flag is
never lost because a message was too long to process: it is turned into the emergency intent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.settings import get_settings

EMERGENCY_PAYLOAD = "/emergency_symptoms"
EMPTY_REPLY = (
    "I didn't receive any text. Ask me about low back pain, why we check your hips, "
    "or type 'book' to request an appointment."
)
TOO_LONG_REPLY = (
    "That message is too long for me ({length:,} characters). Please ask your question in a "
    "sentence or two (under {limit:,} characters)."
)
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


@lru_cache(maxsize=1)
def _red_flag_nlp():
    import spacy

    return spacy.load(get_settings().spacy_model_dir)


def contains_red_flag(text: str) -> bool:
    """True if the EntityRuler finds a red-flag term anywhere in ``text``."""
    nlp = _red_flag_nlp()
    return any(ent.label_ == "red_flag" for ent in nlp(text).ents)


def guard_text(raw: object, max_chars: int | None = None) -> GuardResult:
    """Decide what to do with a message's text (``raw`` may be anything a client sent)."""
    limit = max_chars or get_settings().max_message_chars
    if raw is None or not isinstance(raw, str):
        return GuardResult(reply=EMPTY_REPLY)
    text = clean_text(raw)
    if not text:
        return GuardResult(reply=EMPTY_REPLY)
    if len(text) > limit:
        if contains_red_flag(text[: limit * 20]):
            return GuardResult(text=EMERGENCY_PAYLOAD)
        return GuardResult(reply=TOO_LONG_REPLY.format(length=len(text), limit=limit))
    return GuardResult(text=text)
