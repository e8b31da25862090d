"""What the bot's own buttons send: ``/intent`` or ``/intent{...json...}``, nothing else.

Rasa treats any text starting with "/" as a payload and skips NLU for it, so both the channels'
input check and the safety net need to tell a real button payload from a patient's words.
"""

from __future__ import annotations

import json
import re

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z][a-z0-9_]*)(?P<entities>\{.*\})?$", re.DOTALL)


def is_button_payload(text: str) -> bool:
    """True only for a whole, well-formed button payload (its JSON, if any, an object)."""
    match = _PAYLOAD.match(text)
    if match is None:
        return False
    if not match.group("entities"):
        return True
    try:
        return isinstance(json.loads(match.group("entities")), dict)
    except ValueError:
        return False
