"""Contact details patients type: validate, normalise, and mask them.

A booking request is only useful if the clinic can call or write back, so a wrong phone number
or email must be caught while the patient is still in the conversation. Every rejection is a
:class:`ContactError` whose text is a specific re-ask the bot can show as is ("that phone number
has 9 digits..."). Masking keeps phone numbers and emails out of logs and lists that do not need
them. Pure functions: no network, no DNS lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge import message
from bot.privacy import mask_email, mask_phone

# Characters people put inside phone numbers that carry no meaning.
_PHONE_SEPARATORS = set(" \t-.()/")
# Bounded by digits only, not by letters: "call3035550123" and "tel:3035550124x" are phone
# numbers too, and a letter glued to one must not hide it from masking.
_PHONE_CANDIDATE = re.compile(r"(?<!\d)(?:\+|\()?\d[\d \t().\-/]{5,}\d(?!\d)")
_EXTENSION = re.compile(r"(?:ext\.?|extension|x)\s*\d+\s*$", re.IGNORECASE)

_EMAIL_LOCAL_CHARS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_TEXT_PUNCTUATION = "\"'<>()[]{},;:!?."
_EMAIL_LEAD_INS = {
    "is",
    "it's",
    "its",
    "email",
    "e-mail",
    "mail",
    "at",
    "me",
    "address",
    "use",
    "try",
    "to",
    "on",
    "via",
    "thanks",
    "sure",
    "yes",
    "ok",
    "okay",
}


class ContactError(ValueError):
    """A phone number or email the clinic could not use; ``str()`` is the re-ask for the patient.

    Made from a field of ``contact`` in data/knowledge/messages.yml and the values it names.
    """

    def __init__(self, field: str, **values: object) -> None:
        super().__init__(message(f"contact.{field}", **values))
        self.field = field


@dataclass(frozen=True)
class Contact:
    """A normalised contact: ``kind`` is "phone" (E.164) or "email"."""

    kind: str
    value: str

    @property
    def masked(self) -> str:
        return mask_phone(self.value) if self.kind == "phone" else mask_email(self.value)


# --- phone numbers -------------------------------------------------------------------------


def _digit_count_error(count: int, after_plus_one: bool = False) -> ContactError:
    if count == 7 and not after_plus_one:
        return ContactError("phone_seven_digits")
    field = "phone_one_digit" if count == 1 else "phone_digits"
    return ContactError(field + ("_after_plus_one" if after_plus_one else ""), count=count)


def normalize_us_phone(text: str) -> str:
    """A US phone number in E.164 ("+13035550100"), or :class:`ContactError` saying what is wrong.

    Accepts the usual ways of writing one: (303) 555-0100, 303.555.0100, +1 303 555 0100,
    1-303-555-0100. Follows the North American numbering rules that catch typos: the area
    code and the exchange cannot start with 0 or 1.
    """
    raw = (text or "").strip()
    if raw.lower().startswith("tel:"):
        raw = raw[4:].strip()
    if not raw:
        raise ContactError("phone_empty")
    if _EXTENSION.search(raw) and _EXTENSION.sub("", raw).strip():
        raise ContactError("phone_extension")
    if any(ch.isalpha() for ch in raw):
        raise ContactError("phone_letters")
    has_plus = raw.startswith("+")
    body = raw[1:] if has_plus else raw
    odd = sorted({ch for ch in body if not ch.isdigit() and ch not in _PHONE_SEPARATORS})
    if odd:
        raise ContactError("phone_characters", characters=" ".join(odd))
    digits = "".join(ch for ch in body if ch.isdigit())
    if has_plus:
        if not digits.startswith("1"):
            raise ContactError("phone_not_us")
        national = digits[1:]
        if len(national) != 10:
            raise _digit_count_error(len(national), after_plus_one=True)
    elif len(digits) == 11 and digits.startswith("1"):
        national = digits[1:]
    elif len(digits) == 10:
        national = digits
    else:
        raise _digit_count_error(len(digits))
    _check_nanp(national)
    return "+1" + national


def _check_nanp(national: str) -> None:
    """Reject area codes and exchanges no US number can have (usually a typo)."""
    area, exchange = national[:3], national[3:6]
    if area[0] in "01":
        raise ContactError("area_code_start", area=area, first=area[0])
    if area[1:] == "11":
        raise ContactError("area_code_n11", area=area)
    if exchange[0] in "01":
        raise ContactError("exchange_start", exchange=exchange, first=exchange[0])


# --- email addresses -----------------------------------------------------------------------


def normalize_email(text: str) -> str:
    """A usable email address with the domain in lower case, or :class:`ContactError`.

    A careful syntax check (no DNS): one @, a non-empty part before it, a domain with a dot
    and a real-looking ending. The part before @ keeps its case because mail servers may
    treat it as significant.
    """
    raw = (text or "").strip()
    if raw.lower().startswith("mailto:"):
        raw = raw[7:].strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].strip()
    if not raw:
        raise ContactError("email_empty")
    if any(ch.isspace() for ch in raw):
        raise ContactError("email_space")
    at_count = raw.count("@")
    if at_count == 0:
        raise ContactError("email_no_at")
    if at_count > 1:
        raise ContactError("email_many_at")
    local, domain = raw.split("@")
    if not local:
        raise ContactError("email_no_local")
    if not domain:
        raise ContactError("email_no_domain")
    _check_local(local)
    domain = _check_domain(domain)
    if len(local) + 1 + len(domain) > 254:
        raise ContactError("email_too_long")
    return f"{local}@{domain}"


def _check_local(local: str) -> None:
    if len(local) > 64:
        raise ContactError("local_too_long")
    if not _EMAIL_LOCAL_CHARS.match(local):
        bad = sorted({ch for ch in local if not _EMAIL_LOCAL_CHARS.match(ch)})
        raise ContactError("local_characters", characters=" ".join(bad))
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise ContactError("local_dots")


def _check_domain(domain: str) -> str:
    """The domain in lower case, or :class:`ContactError`."""
    domain = domain.lower()
    if domain.endswith(".") and not domain.endswith(".."):
        domain = domain[:-1]  # "jane@example.com." at the end of a sentence
    if "." not in domain:
        raise ContactError("domain_no_dot", domain=domain)
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = None
    labels = (ascii_domain or domain).split(".")
    if ascii_domain is None or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ContactError("domain_characters", domain=domain)
    if not _TLD.match(labels[-1]):
        raise ContactError("domain_ending", ending=labels[-1])
    return domain


# --- either --------------------------------------------------------------------------------


def _strip_punctuation(token: str) -> str:
    return token.strip(_TEXT_PUNCTUATION)


def parse_contact(text: str) -> Contact:
    """The phone number or email in what the patient typed: an email if there is an "@".

    Also finds it inside a short sentence ("it's jane@example.com", "call me on 303 555 0100").
    """
    raw = (text or "").strip()
    if not raw:
        raise ContactError("empty")
    if "@" in raw:
        return Contact("email", normalize_email(_email_in_sentence(raw)))
    if any(ch.isalpha() for ch in raw) and not _EXTENSION.search(raw):
        found = [
            match
            for match in _PHONE_CANDIDATE.findall(raw)
            if sum(ch.isdigit() for ch in match) >= 7
        ]
        if len(found) == 1:
            return Contact("phone", normalize_us_phone(found[0]))
    return Contact("phone", normalize_us_phone(raw))


def _email_in_sentence(raw: str) -> str:
    """The address in "it's jane@example.com", but "jane doe@example.com" as typed (a typo)."""
    words = raw.split()
    at_words = [index for index, word in enumerate(words) if "@" in word]
    if len(words) == 1 or len(at_words) != 1 or raw.count("@") != 1:
        return raw
    index = at_words[0]
    token = _strip_punctuation(words[index])
    if token.startswith("@") or token.endswith("@"):
        return raw  # "jane @example.com": report the space, not a missing part
    before = words[index - 1].lower() if index else ""
    if index == 0 or before.endswith(":") or before.strip(_TEXT_PUNCTUATION) in _EMAIL_LEAD_INS:
        return token
    return raw


def format_phone_national(value: str) -> str:
    """``+13035550123`` -> ``(303) 555-0123``, the way US patients write and read their number.

    Anything that is not a US number in E.164 (an email, an odd stored value) is returned as is.
    """
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if (value or "").startswith("+1") and len(digits) == 11:
        return f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    return value


def display_contact(value: str | None) -> str:
    """A stored contact as shown to the patient: phones in the national format, emails as typed."""
    if not value:
        return ""
    return value if "@" in value else format_phone_national(value)
