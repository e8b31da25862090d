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

from bot.privacy import mask_email, mask_phone

PHONE_EXAMPLE = "303-555-0100"
EMAIL_EXAMPLE = "jane@example.com"

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
    """A phone number or email the clinic could not use; ``str()`` is the re-ask for the patient."""


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
    where = " after +1" if after_plus_one else ""
    if count < 10 and count == 7 and not after_plus_one:
        return ContactError(
            f"That phone number has 7 digits; I also need the area code. A US number has 10 "
            f"digits (like {PHONE_EXAMPLE}). Please try again."
        )
    noun = "digit" if count == 1 else "digits"
    return ContactError(
        f"That phone number has {count} {noun}{where}; a US number has 10 "
        f"(like {PHONE_EXAMPLE}). Please try again."
    )


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
        raise ContactError(
            f"I didn't catch a phone number. Please type a US number like {PHONE_EXAMPLE}."
        )
    if _EXTENSION.search(raw) and _EXTENSION.sub("", raw).strip():
        raise ContactError(
            "Please leave out the extension and send just the 10-digit number "
            f"(like {PHONE_EXAMPLE}); the clinic will ask for the extension if needed."
        )
    if any(ch.isalpha() for ch in raw):
        raise ContactError(
            "That phone number has letters in it. Please type just the digits, "
            f"like {PHONE_EXAMPLE}."
        )
    has_plus = raw.startswith("+")
    body = raw[1:] if has_plus else raw
    odd = sorted({ch for ch in body if not ch.isdigit() and ch not in _PHONE_SEPARATORS})
    if odd:
        shown = " ".join(odd)
        raise ContactError(
            f"That phone number has characters I can't use ({shown}). Please type just the "
            f"digits, like {PHONE_EXAMPLE}."
        )
    digits = "".join(ch for ch in body if ch.isdigit())
    if has_plus:
        if not digits.startswith("1"):
            raise ContactError(
                "I can only take US phone numbers (starting +1). Please give a US number "
                "or an email address instead."
            )
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
        raise ContactError(
            f"That phone number's area code ({area}) starts with {area[0]}, and US area codes "
            f"can't. Please check it and try again (like {PHONE_EXAMPLE})."
        )
    if area[1:] == "11":
        raise ContactError(
            f"{area} isn't a US area code. Please check the number and try again "
            f"(like {PHONE_EXAMPLE})."
        )
    if exchange[0] in "01":
        raise ContactError(
            f"In that phone number the three digits after the area code ({exchange}) start "
            f"with {exchange[0]}, which US numbers can't. Please check it and try again."
        )


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
        raise ContactError(
            f"I didn't catch an email address. Please type one like {EMAIL_EXAMPLE}."
        )
    if any(ch.isspace() for ch in raw):
        raise ContactError(
            "That email address has a space in it. Please type it without spaces, "
            f"like {EMAIL_EXAMPLE}."
        )
    at_count = raw.count("@")
    if at_count == 0:
        raise ContactError(
            f"That email address is missing the @. Please type it like {EMAIL_EXAMPLE}."
        )
    if at_count > 1:
        raise ContactError(
            "That email address has more than one @; it should have exactly one, "
            f"like {EMAIL_EXAMPLE}. Please try again."
        )
    local, domain = raw.split("@")
    if not local:
        raise ContactError(
            "That email address is missing the part before @ (like jane in "
            f"{EMAIL_EXAMPLE}). Please try again."
        )
    if not domain:
        raise ContactError(
            "That email address is missing the part after @ (like example.com in "
            f"{EMAIL_EXAMPLE}). Please try again."
        )
    _check_local(local)
    domain = _check_domain(domain)
    if len(local) + 1 + len(domain) > 254:
        raise ContactError("That email address is too long to be real. Please check it.")
    return f"{local}@{domain}"


def _check_local(local: str) -> None:
    if len(local) > 64:
        raise ContactError(
            "The part of that email address before @ is too long to be real. Please check it."
        )
    if not _EMAIL_LOCAL_CHARS.match(local):
        bad = sorted({ch for ch in local if not _EMAIL_LOCAL_CHARS.match(ch)})
        raise ContactError(
            f"The part of that email address before @ has characters an address can't have "
            f"({' '.join(bad)}). Please check it and try again."
        )
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise ContactError(
            "The part of that email address before @ can't start or end with a dot or have "
            "two dots in a row. Please check it and try again."
        )


def _check_domain(domain: str) -> str:
    """The domain in lower case, or :class:`ContactError`."""
    domain = domain.lower()
    if domain.endswith(".") and not domain.endswith(".."):
        domain = domain[:-1]  # "jane@example.com." at the end of a sentence
    if "." not in domain:
        raise ContactError(
            f"The part after @ ({domain}) needs a dot and an ending, like example.com. "
            "Please try again."
        )
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = None
    labels = (ascii_domain or domain).split(".")
    if ascii_domain is None or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ContactError(
            f"The part after @ ({domain}) has characters or dots an email address can't have. "
            "Please check it and try again."
        )
    if not _TLD.match(labels[-1]):
        raise ContactError(
            f"The ending of that email address (.{labels[-1]}) doesn't look complete; it "
            "should be something like .com or .org. Please check it and try again."
        )
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
        raise ContactError(
            f"I didn't catch a phone number or email. Please type a US phone number (like "
            f"{PHONE_EXAMPLE}) or an email address."
        )
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
