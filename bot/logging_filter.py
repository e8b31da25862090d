"""Keeps what patients type out of every server log: Python's logging, Rasa's structlog events and
Python warnings (issue 15).

What leaked before: a message starting with "/" that is not a valid payload made Rasa log
``message.parsing.failed`` with ``user_text`` (structlog), or warn ``Failed to parse arguments in
line '<the whole message>' ... Continuing without <the rest>`` (``warnings``), health details and
phone numbers included. The event name stays; the text goes.

Why these three hooks and not a ``logging.Filter`` on handlers: Rasa, coloredlogs, uvicorn and
``logging.config`` files replace the root logger's handlers after start-up, and a filter on a
logger never sees records propagated from child loggers, so such a filter is silently lost or
bypassed. Instead :func:`install`

* wraps the **log record factory**, so every record any logger creates, in any library, is
  scrubbed once at creation, whatever handlers or formatters are configured later;
* wraps ``structlog.configure``, so Rasa's own structlog pipeline (configured after start-up)
  begins with :func:`redact_event_dict`, which blanks the keys that carry text (Rasa's own list of
  "anonymizable" keys plus ours) and keeps the event name;
* wraps ``warnings.showwarning``, so warnings printed to stderr are scrubbed too (and when Rasa
  routes warnings into logging, the record factory catches them).

Scrubbing (:func:`redact`) removes the text of known carriers (the ``Failed to parse arguments``
warning, ``user message '...'``), any quoted phrase of several words, and masks phone numbers and
emails with :func:`bot.privacy.mask_contacts_in_text`. It errs towards removing: a log line that
loses a quoted phrase costs less than a patient's symptoms in a log file.

``bot.launch`` installs this first thing in the Rasa server, the action server and the web app;
``bot.cli.main`` installs it for the notifier and every other ``bot`` command.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import MutableMapping
from typing import Any

from bot.privacy import mask_contacts_in_text

REMOVED = "[text removed]"

# Keys whose value is (or contains) what a patient typed. Rasa's rasa.utils.log_utils._anonymizer
# list, and the keys Rasa's and Rasa SDK's events and trackers use for text.
TEXT_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "metadata",
        "parse_data",
        "tracker",
        "slots",
        "value",
        "entities",
        "utterance",
        "body",
        "request_body",
    }
)
# Keys of a structlog event that never carry typed text.
_SAFE_KEYS = frozenset({"event", "level", "log_level", "timestamp", "logger", "logger_name"})

# Messages built around the patient's text: keep the words before it (the event), drop the rest.
_TEXT_WORDS = r"(user message|user text|user_text|utterance|text)(\s*[=:]?\s*)"
_CARRIERS = [
    re.compile(r"(Failed to parse arguments in line)\b.*", re.DOTALL),
    re.compile(r"(Continuing without)\b.*", re.DOTALL),
    re.compile(_TEXT_WORDS + r"'[^']*'", re.IGNORECASE),
    re.compile(_TEXT_WORDS + r'"[^"]*"', re.IGNORECASE),
]
# A quoted phrase of two or more words: how Python and Rasa quote what someone typed.
# Quotes must stand apart from letters, so apostrophes ("couldn't ... it's") are not quotes.
_QUOTED_PHRASE = re.compile(r"(?<!\w)(?:'[^'\n]*\s[^'\n]*'|\"[^\"\n]*\s[^\"\n]*\")(?!\w)")


def _carrier_repl(match: re.Match[str]) -> str:
    if match.lastindex and match.lastindex >= 2:
        return f"{match.group(1)}{match.group(2)}'{REMOVED}'"
    return f"{match.group(1)} {REMOVED}"


def _redact_json_line(text: str) -> str | None:
    """A structlog JSON line with its text keys blanked, or None if ``text`` is not one."""
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        event = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    return json.dumps(redact_event_dict(None, "", event))


def redact(text: str) -> str:
    """``text`` (a log message or warning) without typed text, phone numbers or emails."""
    if not text:
        return text
    as_json = _redact_json_line(text)
    if as_json is not None:
        return as_json
    for pattern in _CARRIERS:
        text = pattern.sub(_carrier_repl, text)
    text = _QUOTED_PHRASE.sub(f"'{REMOVED}'", text)
    return mask_contacts_in_text(text)


def _redact_value(key: str, value: Any) -> Any:
    if key in _SAFE_KEYS:
        return mask_contacts_in_text(value) if isinstance(value, str) else value
    if key in TEXT_KEYS:
        return REMOVED if value not in (None, "", [], {}) else value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(value if isinstance(value, str) else repr(value))


def redact_event_dict(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: text keys blanked, other values scrubbed, the event name kept."""
    for key, value in list(event_dict.items()):
        event_dict[key] = _redact_value(key, value)
    return event_dict


# --- hooks -------------------------------------------------------------------------------------

_installed = False


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string: log it as written, scrubbed
        message = str(record.msg)
    scrubbed = redact(message)
    if scrubbed != message:  # otherwise keep msg/args: some formatters (uvicorn's) read args
        record.msg, record.args = scrubbed, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _wrap_record_factory() -> None:
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub_record(record)
        return record

    logging.setLogRecordFactory(factory)


def _wrap_showwarning() -> None:
    previous = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        previous(redact(str(message)), category, filename, lineno, file, line)

    warnings.showwarning = showwarning


def _wrap_structlog() -> None:
    try:
        import structlog
    except ImportError:  # the web app and notifier may run without it
        return
    original = structlog.configure

    def configure(*args: Any, **kwargs: Any) -> None:
        processors = kwargs.get("processors")
        if processors is not None:
            kept = [p for p in processors if p is not redact_event_dict]
            kwargs["processors"] = [redact_event_dict, *kept]
        original(*args, **kwargs)

    structlog.configure = configure
    current = structlog.get_config().get("processors") or []
    if redact_event_dict not in current:
        original(processors=[redact_event_dict, *current])


def install() -> None:
    """Scrub every log record, structlog event and warning in this process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    _wrap_record_factory()
    _wrap_showwarning()
    _wrap_structlog()
