"""Masking of phone numbers and emails for lists, transcripts and exports.

The booking feature's ``bot.contact`` is the one implementation; a small fallback keeps the staff
pages working (and masking) if that module is ever missing.
"""

from __future__ import annotations

import re

try:
    from bot.contact import mask_contacts_in_text, mask_email, mask_phone
except ImportError:  # pragma: no cover - only without the bookings feature
    _EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    _PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().\-/]{5,}\d(?!\w)")

    def mask_phone(value: str) -> str:
        digits = "".join(ch for ch in (value or "") if ch.isdigit())
        return "***" + digits[-4:] if len(digits) >= 7 else "***"

    def mask_email(value: str) -> str:
        local, _, domain = (value or "").rpartition("@")
        return f"{local[:1]}***@{domain}" if domain and local else "***"

    def mask_contacts_in_text(text: str) -> str:
        masked = _EMAIL.sub(lambda m: mask_email(m.group(0)), text or "")
        return _PHONE.sub(lambda m: mask_phone(m.group(0)), masked)


_E164 = re.compile(r"^\+\d{7,15}$")


def mask_sender(sender_id: str) -> str:
    """A conversation id fit for a list: phone numbers (SMS senders) masked, long ids shortened."""
    if _E164.match(sender_id or ""):
        return mask_phone(sender_id)
    if "@" in (sender_id or ""):
        return mask_email(sender_id)
    masked = mask_contacts_in_text(sender_id or "")
    return masked if len(masked) <= 14 else masked[:12] + "…"


def mask_contact(kind: str | None, value: str | None) -> str:
    if not value:
        return ""
    return mask_email(value) if kind == "email" or "@" in value else mask_phone(value)


__all__ = ["mask_contact", "mask_contacts_in_text", "mask_email", "mask_phone", "mask_sender"]
