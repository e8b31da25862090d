"""What a channel says by itself: to empty or oversized input, and when Rasa failed to answer.

The words are data (``channels`` in data/knowledge/messages.yml), read from the file the channel
process loads itself, so these replies never depend on Rasa or the action server answering.
"""

from __future__ import annotations

from bot.knowledge import get_messages, message


def sorry_reply() -> str:
    """Rasa failed or timed out: the patient is told, and pointed to the clinic."""
    return message("channels.sorry")


def empty_reply() -> str:
    """No text at all (or nothing but a slash, spaces or control characters)."""
    return message("channels.empty")


def too_long_reply(length: int, limit: int) -> str:
    """A message longer than ``limit`` characters (and no red flag in it)."""
    return message("channels.too_long", length=length, limit=limit)


def check_replies() -> None:
    """Load (and so validate) the channel's words when the channel starts."""
    get_messages()
