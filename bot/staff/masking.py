"""Masking for staff lists, transcripts and exports: re-exported from :mod:`bot.privacy`.

One implementation serves every feature, so a phone or email format it learns to catch is masked
in staff pages, CSV exports and logs alike (issue 15).
"""

from __future__ import annotations

from bot.privacy import mask_contact, mask_contacts_in_text, mask_email, mask_phone, mask_sender

__all__ = ["mask_contact", "mask_contacts_in_text", "mask_email", "mask_phone", "mask_sender"]
