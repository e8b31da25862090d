"""Masking of phone numbers and email addresses: the one implementation every feature uses.

Staff lists, transcripts and CSV exports, SMS and notifier logs, booking errors and the log
filter (:mod:`bot.logging_filter`) all call :func:`mask_contacts_in_text`, so a format caught here
is caught everywhere; no other module defines or re-exports a masking function.

Patients write numbers and addresses in many ways, so matching works on *normalised* forms:

* a phone number is 7 or more digits with any separators people put between groups
  ("303_555_0142", "303,555,0142", "(303) 555 0142", "+1 303 555 0142"), glued to letters or not;
  whole calendar dates (2026-11-25, 11/25/2026) are kept, and so are times ("10:30-11:45"),
  because ":" is not a separator;
* an email address may be spelled out ("jane at example dot com", "jane [at] example [dot] com").

It errs towards masking: hiding a harmless number costs less than showing a patient's.
Standalone (no project imports), so any module, the log filter included, can use it.
"""

from __future__ import annotations

import re

# Between two digit groups: up to 3 separator characters (no letters, no ":", no newline).
_SEPARATOR = r"[ \t\-._,/()+\u00a0\u2010-\u2015]"
_PHONE_CANDIDATE = re.compile(
    rf"(?<!\d)(?:\+|\()?\d(?:{_SEPARATOR}{{0,3}}\d)*(?!\d)",
)
_MIN_PHONE_DIGITS = 7
# Whole calendar dates, which no US phone number is written as.
_DATE_IN_TEXT = re.compile(
    r"(?<![\d/.-])(?:\d{4}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/\d{4})(?![\d/.-]?\d)"
)

_EMAIL_IN_TEXT = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9\u00a1-\uffff-]+(?:\.[A-Za-z0-9\u00a1-\uffff-]+)+"
)
# "jane at example dot com", "jane [at] example [dot] com", "jane (at) example.com", "jane @ ex..."
_SPELLED_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_SPELLED_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)(?P<at>{_SPELLED_AT})"
    rf"(?P<domain>{_LABEL}(?:{_SPELLED_DOT}{_LABEL})*{_SPELLED_DOT}(?P<tld>[A-Za-z]{{2,24}}))"
    r"(?![\w-])",
    re.IGNORECASE,
)
_DOMAIN_DOTS = re.compile(_SPELLED_DOT, re.IGNORECASE)
# With a plain " at " and plain dots ("worst at night.Can you"), only endings addresses really
# have count, so a missing space after a full stop does not mask a sentence.
_COMMON_TLDS = frozenset(
    {"com", "org", "net", "edu", "gov", "mil", "us", "io", "co", "info", "biz", "me", "uk"}
    | {"ca", "de", "fr", "au", "nz", "ie", "in", "app", "dev", "health"}
)

_E164 = re.compile(r"^\+\d{7,15}$")


def _digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def _us_national(text: str) -> str | None:
    """The 10-digit US number ``text`` spells (any separators), or None if it is not one."""
    digits = _digits(text)
    if text.lstrip().startswith("+"):
        digits = digits[1:] if len(digits) == 11 and digits.startswith("1") else ""
    elif len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[1:3] == "11" or digits[3] in "01":
        return None
    return digits


def mask_phone(value: str) -> str:
    """``+13035550100`` -> ``+1 ***-***-0100``: enough to tell numbers apart, no more."""
    digits = _digits(value)
    if len(digits) == 11 and digits.startswith("1"):
        return f"+1 ***-***-{digits[-4:]}"
    if len(digits) == 10:
        return f"***-***-{digits[-4:]}"
    if len(digits) >= 4:
        return "***" + digits[-2:]
    return "***"


def mask_email(value: str) -> str:
    """``jane.doe@example.com`` -> ``j***@example.com``."""
    value = value or ""
    if "@" not in value:
        return "***"
    local, _, domain = value.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else f"***@{domain}"


def _mask_phone_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if len(_digits(text)) < _MIN_PHONE_DIGITS:
        return text
    national = _us_national(text)
    if national is None:
        return "***" + _digits(text)[-2:]
    return mask_phone("+1" + national)


def _mask_spelled_email(match: re.Match[str]) -> str:
    plain_at = match.group("at").strip().lower() == "at"
    plain_dots = "dot" not in match.group("domain").lower()
    if plain_at and plain_dots and match.group("tld").lower() not in _COMMON_TLDS:
        return match.group(0)
    domain = _DOMAIN_DOTS.sub(".", match.group("domain")).lower()
    return mask_email(f"{match.group('local')}@{domain}")


def _mask_phones(text: str) -> str:
    """Phone numbers masked everywhere except inside whole calendar dates."""
    parts = _DATE_IN_TEXT.split(text)
    dates = _DATE_IN_TEXT.findall(text)
    out = [_PHONE_CANDIDATE.sub(_mask_phone_match, parts[0])]
    for date, part in zip(dates, parts[1:], strict=False):
        out += [date, _PHONE_CANDIDATE.sub(_mask_phone_match, part)]
    return "".join(out)


def mask_contacts_in_text(text: str) -> str:
    """``text`` with every email address (also spelled out) and phone-like number masked.

    Any 7 or more digits in a row, whatever separates them, count as a phone number, except a
    whole calendar date such as 2026-11-25.
    """
    if not text:
        return text or ""
    masked = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)
    masked = _SPELLED_EMAIL.sub(_mask_spelled_email, masked)
    return _mask_phones(masked)


def mask_sender(sender_id: str) -> str:
    """A conversation id fit for a list: phone numbers (SMS senders) masked, long ids shortened."""
    if _E164.match(sender_id or ""):
        return mask_phone(sender_id)
    if "@" in (sender_id or ""):
        return mask_email(sender_id)
    masked = mask_contacts_in_text(sender_id or "")
    return masked if len(masked) <= 14 else masked[:12] + "…"


def mask_contact(kind: str | None, value: str | None) -> str:
    """A stored contact (phone or email) masked for display."""
    if not value:
        return ""
    return mask_email(value) if kind == "email" or "@" in value else mask_phone(value)


__all__ = ["mask_contact", "mask_contacts_in_text", "mask_email", "mask_phone", "mask_sender"]
