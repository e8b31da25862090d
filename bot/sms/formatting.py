"""Writing the bot's messages for a phone: plain text, numbered choices, short source lines,
and no message longer than Twilio accepts.

Pure functions, so the SMS channel's wording can be tested without Rasa or Twilio.
"""

from __future__ import annotations

import re
from typing import Any

from bot.citations import CITATION_TEXT_PREFIX
from bot.knowledge import message

MAX_SMS_CHARS = 1600  # Twilio rejects longer message bodies
INLINE_TITLE_CHARS = 30  # longer choice labels go one per line

_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")
# Emphasis markers must not touch another marker, so masked numbers ("+1 ***-***-0100") and
# rules ("***") are left alone.
_BOLD = re.compile(r"(?<![\w*_])(\*\*|__)(?![\s*_])(.+?)(?<![\s*_])\1(?![\w*_])", re.DOTALL)
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![\w*])")
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?![\s_])([^_\n]+?)(?<![\s_])_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_STAR_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE)
# Where a message may be split: after a sentence's end (and any closing quote or bracket),
# or at a line break.
_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*[ \t]+|\n+")
_NUMBER_REPLY = re.compile(r"^\s*#?(\d{1,2})\s*[.)]?\s*$")


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2)
    return url if label == url else f"{label} ({url})"


def plain_text(text: str) -> str:
    """``text`` without markdown: SMS shows asterisks and brackets literally."""
    text = _LINK.sub(_link, text or "")
    text = _BOLD.sub(r"\2", text)
    text = _ITALIC_STAR.sub(r"\1", text)
    text = _ITALIC_UNDERSCORE.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _STAR_BULLET.sub(r"\1- ", text)
    return text.strip()


def is_citation_text(text: str | None) -> bool:
    """The citation text the actions send for channels without the custom payload."""
    return bool(text and text.lstrip().startswith(CITATION_TEXT_PREFIX))


def button_options(buttons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Rasa buttons as options to number: a title to show and the payload a digit stands for."""
    options = []
    for button in buttons or []:
        title = plain_text(str(button.get("title") or "")).strip()
        payload = str(button.get("payload") or title).strip()
        if title or payload:
            options.append({"title": title or payload, "payload": payload})
    return options


def numbered_prompt(options: list[dict[str, str]]) -> str:
    """The choices as numbers to reply with.

    Short labels fit one line ("Reply 1 for Boulder or 2 for Lafayette."); long labels or
    questions read better one per line ("Reply with a number:\n1) Why check my hips...?").
    """
    titles = [option["title"] for option in options]
    if not titles:
        return ""
    if any(len(title) > INLINE_TITLE_CHARS or title.endswith("?") for title in titles):
        lines = [f"{number}) {title}" for number, title in enumerate(titles, 1)]
        return message("sms.numbered_intro") + "\n" + "\n".join(lines)
    parts = [
        message("sms.choice", number=number, title=title) for number, title in enumerate(titles, 1)
    ]
    if len(parts) == 1:
        return message("sms.one_choice", choice=parts[0])
    return message("sms.choices", choices=", ".join(parts[:-1]), last=parts[-1])


def picked_option(text: str | None, options: list[dict[str, str]]) -> dict[str, str] | None:
    """The option a reply picks: its number ("2", "2.", "#2") or its exact title."""
    if not text or not options:
        return None
    match = _NUMBER_REPLY.match(text)
    if match:
        index = int(match.group(1))
        return options[index - 1] if 1 <= index <= len(options) else None
    wanted = text.strip().casefold()
    return next((o for o in options if o["title"].casefold() == wanted), None)


def source_line(source: dict[str, Any]) -> str:
    """'Source: Kim & Shin, Med Sci Monit 2020 — https://doi.org/10.12659/MSM.925080'"""
    name = source.get("short") or source.get("title") or source.get("id") or "source"
    url = source.get("doi_url") or source.get("url") or source.get("pubmed_url")
    return (
        message("sms.source_link", name=name, url=url) if url else message("sms.source", name=name)
    )


def citation_lines(payload: dict[str, Any]) -> list[str]:
    """One short line per source of a citations payload (empty for any other custom payload)."""
    sources = payload.get("sources") if isinstance(payload, dict) else None
    if not isinstance(sources, list):
        return []
    return [source_line(s) for s in sources if isinstance(s, dict)]


def _pieces(text: str) -> list[str]:
    """``text`` cut after each sentence and at line breaks; the pieces join back to ``text``."""
    pieces, start = [], 0
    for match in _BOUNDARY.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _hard_split(piece: str, limit: int) -> list[str]:
    """A single sentence longer than ``limit``: split between words (or anywhere, if must)."""
    chunks = []
    while len(piece) > limit:
        cut = piece.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        chunks.append(piece[:cut])
        piece = piece[cut:].lstrip()
    return [*chunks, piece]


def split_message(text: str, limit: int = MAX_SMS_CHARS) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, split between sentences."""
    text = (text or "").strip()
    if len(text) <= limit:
        return [text] if text else []
    messages: list[str] = []
    current = ""
    for piece in _pieces(text):
        if len((current + piece).rstrip()) <= limit:
            current += piece
            continue
        if current.strip():
            messages.append(current.strip())
        current = ""
        if len(piece.rstrip()) > limit:
            *full, last = _hard_split(piece.strip(), limit)
            messages.extend(chunk.strip() for chunk in full)
            piece = last + piece[len(piece.rstrip()) :]  # keep the space before the next one
        current = piece
    if current.strip():
        messages.append(current.strip())
    return messages
