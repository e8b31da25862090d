"""What staff receive: the plain-text body, the email around it and the signed webhook document.

The subject line and the webhook event carry only the reference (they show in notifications);
the body holds what staff need to call the patient back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from bot.booking.notify.settings import NotifySettings

SIGNATURE_HEADER = "X-Mend-Signature"
# The reason stored with a "talk to a person" request, shown to staff in the inbox and notices.
HANDOFF_REASON = "Patient asked to talk to a person"
SUBJECTS = {
    "booking": "New booking request {reference}",
    "handoff": "Patient asked to talk to a person ({reference})",
}
INTROS = {
    "booking": "A patient asked for an appointment through the Mend Assistant. Please contact "
    "them to book it.",
    "handoff": "A patient asked to talk to a person. Please get in touch; the conversation is "
    "flagged for staff review.",
}


def _pretty_phone(value: str) -> str:
    if value.startswith("+1") and len(value) == 12:
        return f"{value} ({value[2:5]}-{value[5:8]}-{value[8:]})"
    return value


def _details(kind: str, request: dict[str, Any]) -> list[tuple[str, str]]:
    contact = request.get("contact_value") or "not given"
    if request.get("contact_kind") == "phone":
        contact = _pretty_phone(contact)
    created = request.get("created_at")
    rows = [("Reference", request["reference"])]
    if kind == "booking":
        rows += [
            ("Name", request.get("name") or ""),
            ("Contact", contact),
            ("Clinic", request.get("clinic_location") or "no preference"),
            ("Preferred times", request.get("preferred_times") or "not given"),
            ("Reason", request.get("reason") or "not given"),
        ]
    else:
        rows += [("Contact", contact), ("Reason", request.get("reason") or "not given")]
    rows += [
        ("Channel", request.get("channel") or ""),
        ("Conversation", request.get("conversation_id") or ""),
        ("Received", created.strftime("%Y-%m-%d %H:%M UTC") if created else ""),
    ]
    return rows


def message_text(kind: str, request: dict[str, Any]) -> str:
    """The plain-text body staff read: everything needed to call the patient back."""
    lines = [INTROS[kind], ""]
    lines += [f"{label + ':':<17}{value}" for label, value in _details(kind, request)]
    return "\n".join(lines) + "\n"


def build_email(kind: str, request: dict[str, Any], settings: NotifySettings) -> EmailMessage:
    """The staff email; the subject carries only the reference (it shows in notifications)."""
    message = EmailMessage()
    message["Subject"] = SUBJECTS[kind].format(reference=request["reference"])
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="mend-assistant.local")
    message["Auto-Submitted"] = "auto-generated"
    message["X-Mend-Reference"] = request["reference"]
    message.set_content(message_text(kind, request))
    return message


def webhook_body(kind: str, request: dict[str, Any], now: datetime) -> bytes:
    """The JSON POSTed to the webhook: structured fields plus a ready-made ``text``."""
    fields = {
        key: (value.isoformat() if isinstance(value, datetime) else value)
        for key, value in request.items()
        if key not in {"id", "idempotency_key"}
    }
    document = {
        "event": f"{kind}.created",
        "reference": request["reference"],
        "request": fields,
        "text": message_text(kind, request),
        "sent_at": now.isoformat(),
    }
    return json.dumps(document, sort_keys=True).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
