"""Booking requests and requests to talk to a person, stored exactly once with a staff notification.

The action server calls :func:`submit_booking` when a patient confirms a booking and
:func:`record_handoff` when they ask for a person. Each call carries an idempotency key, so a
double tap or a retried webhook returns the request already stored instead of a second row
(also when two calls race: the database's unique constraint decides, and the loser re-reads).
The request and its outbox row are written in one transaction; :mod:`bot.booking.notify` delivers
the outbox later, so a failed notification can never lose a request. If the database cannot be
written, :class:`StorageUnavailable` tells the caller the request was NOT saved, so the bot never
claims success it does not have.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import asdict, dataclass
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.booking.contact import normalize_email, normalize_us_phone, parse_contact
from bot.booking.models import (
    CONTACT_MAX,
    KEY_MAX,
    NAME_MAX,
    SHORT_MAX,
    BookingRequest,
    HandoffRequest,
    NotificationOutbox,
)
from bot.db import session_scope
from bot.privacy import mask_contacts_in_text

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L or U: a reference is read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "MEND-"
REFERENCE_LENGTH = 5
REASON_MAX = 2000
_INSERT_ATTEMPTS = 5

# The two kinds of patient request; they share the columns the helpers below use.
RequestModel: TypeAlias = type[BookingRequest] | type[HandoffRequest]


class StorageUnavailable(RuntimeError):
    """The request could not be saved (database unreachable, not migrated, read-only...).

    The message names the failure without personal data, so it is safe to log.
    """


@dataclass(frozen=True)
class BookingDraft:
    """What the booking form collected; ``contact_value`` is re-normalised before storing."""

    conversation_id: str
    channel: str
    name: str
    contact_kind: str
    contact_value: str
    clinic_location: str | None = None
    preferred_times: str | None = None
    reason: str | None = None

    def fingerprint(self) -> str:
        """A stable hash of the draft: the same confirmed details give the same key."""
        return make_idempotency_key("booking", *(str(v) for v in asdict(self).values()))


@dataclass(frozen=True)
class StoredRequest:
    """A stored request: ``created`` is False when the key had already been used."""

    reference: str
    created: bool
    kind: str = "booking"
    id: int | None = None
    updated: bool = False


def make_idempotency_key(*parts: str) -> str:
    """A short key from any parts (e.g. conversation id and a form attempt id)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"k1:{digest}"


def new_reference() -> str:
    """A short code staff and patients can read out, e.g. ``MEND-7K3Q9``."""
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)
    )


def storage_unavailable(error: BaseException) -> StorageUnavailable:
    """A :class:`StorageUnavailable` naming the cause without SQL parameters or contact data."""
    cause = getattr(error, "orig", None) or error
    detail = (str(cause).strip().splitlines() or [""])[0][:200]
    return StorageUnavailable(
        f"request not saved: {type(cause).__name__}: {mask_contacts_in_text(detail)}"
    )


def _clean(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] if text else None


def _required(value: str | None, field: str, limit: int) -> str:
    cleaned = _clean(value, limit)
    if not cleaned:
        raise ValueError(f"{field} is required")
    return cleaned


def _contact(kind: str | None, value: str | None, required: bool) -> tuple[str | None, str | None]:
    """Normalised (kind, value); raises :class:`~bot.booking.contact.ContactError` if bad."""
    if not kind and not value and not required:
        return None, None
    if not kind and value:
        contact = parse_contact(value)
        return contact.kind, contact.value
    if kind == "phone":
        return kind, normalize_us_phone(value or "")
    if kind == "email":
        return kind, normalize_email(value or "")[:CONTACT_MAX]
    raise ValueError("contact_kind must be 'phone' or 'email'")


def _key(idempotency_key: str | None) -> str:
    key = (idempotency_key or "").strip()
    if not key:
        return f"random:{uuid.uuid4()}"
    if len(key) > KEY_MAX:
        return make_idempotency_key(key)
    return key


def _existing(model: RequestModel, key: str, database_url: str | None) -> Any:
    with session_scope(database_url) as session:
        row = session.execute(
            sa.select(model.id, model.reference).where(model.idempotency_key == key)
        ).first()
    return row


def _insert_once(
    model: RequestModel, kind: str, fields: dict[str, Any], key: str, database_url: str | None
) -> StoredRequest:
    """Insert the request and its outbox row in one transaction, at most once per key."""
    try:
        for _ in range(_INSERT_ATTEMPTS):
            found = _existing(model, key, database_url)
            if found is not None:
                return StoredRequest(found.reference, False, kind, found.id)
            reference = new_reference()
            try:
                with session_scope(database_url) as session:
                    row = model(**fields, reference=reference, idempotency_key=key, status="new")
                    session.add(row)
                    session.flush()
                    row_id = row.id
                    session.add(
                        NotificationOutbox(
                            kind=kind,
                            request_id=row_id,
                            payload={"kind": kind, "reference": reference, "request_id": row_id},
                        )
                    )
                return StoredRequest(reference, True, kind, row_id)
            except IntegrityError:
                # Someone stored this key first (or, rarely, the reference was taken): re-read.
                continue
    except (SQLAlchemyError, OSError) as error:
        unavailable = storage_unavailable(error)
        logger.error("%s %s", kind, unavailable)
        raise unavailable from None
    raise StorageUnavailable(f"request not saved: no free reference after {_INSERT_ATTEMPTS} tries")


def submit_booking(
    draft: BookingDraft, idempotency_key: str, database_url: str | None = None
) -> StoredRequest:
    """Store a confirmed booking request once and queue the staff notification.

    Returns the stored request; ``created`` is False when ``idempotency_key`` was seen before
    (the reference is then the first request's). Raises :class:`StorageUnavailable` if it could
    not be saved, and ``ValueError`` (``ContactError``) for a draft missing required details.
    """
    contact_kind, contact_value = _contact(draft.contact_kind, draft.contact_value, required=True)
    fields = {
        "conversation_id": _required(draft.conversation_id, "conversation_id", KEY_MAX),
        "channel": _required(draft.channel, "channel", SHORT_MAX),
        "name": _required(draft.name, "name", NAME_MAX),
        "contact_kind": contact_kind,
        "contact_value": contact_value,
        "clinic_location": _clean(draft.clinic_location, SHORT_MAX),
        "preferred_times": _clean(draft.preferred_times, REASON_MAX),
        "reason": _clean(draft.reason, REASON_MAX),
    }
    stored = _insert_once(BookingRequest, "booking", fields, _key(idempotency_key), database_url)
    logger.info("booking request %s %s", stored.reference, "stored" if stored.created else "repeat")
    return stored


def record_handoff(
    conversation_id: str,
    channel: str,
    reason: str | None,
    contact_kind: str | None = None,
    contact_value: str | None = None,
    idempotency_key: str | None = None,
    database_url: str | None = None,
) -> StoredRequest:
    """Record that a patient asked for a person (flags the conversation) and queue the notice.

    Same exactly-once semantics as :func:`submit_booking`. Without an ``idempotency_key`` every
    call stores a new row, so pass one (e.g. the conversation id and the message id).
    """
    kind, value = _contact(contact_kind, contact_value, required=False)
    fields = {
        "conversation_id": _required(conversation_id, "conversation_id", KEY_MAX),
        "channel": _required(channel, "channel", SHORT_MAX),
        "contact_kind": kind,
        "contact_value": value,
        "reason": _clean(reason, REASON_MAX),
    }
    stored = _insert_once(HandoffRequest, "handoff", fields, _key(idempotency_key), database_url)
    if not stored.created and kind is not None and value is not None:
        # _contact gives a kind with every value, so this is the same as "a contact was given"
        stored = _add_handoff_contact(stored, kind, value, database_url)
    logger.info("handoff request %s %s", stored.reference, "stored" if stored.created else "repeat")
    return stored


def _add_handoff_contact(
    stored: StoredRequest, kind: str, value: str, database_url: str | None
) -> StoredRequest:
    """A contact given on a second ask the same day joins the first request, and staff are told
    again (the first notice had no way to reach the patient). An existing contact is kept."""
    try:
        with session_scope(database_url) as session:
            row = session.get(HandoffRequest, stored.id)
            if row is None or row.contact_value:
                return stored
            row.contact_kind, row.contact_value = kind, value
            session.add(
                NotificationOutbox(
                    kind="handoff",
                    request_id=row.id,
                    payload={"kind": "handoff", "reference": row.reference, "request_id": row.id},
                )
            )
    except (SQLAlchemyError, OSError) as error:
        raise storage_unavailable(error) from None
    return StoredRequest(stored.reference, False, "handoff", stored.id, updated=True)


# --- reading back (staff review) -----------------------------------------------------------


def row_to_dict(row: Any) -> dict[str, Any]:
    """A model row as a dict; its times are aware UTC already (``bot.db.types.UTCDateTime``)."""
    return {column.name: getattr(row, column.key) for column in row.__table__.columns}


def _rows(
    model: RequestModel, where: Any, database_url: str | None, limit: int | None = None
) -> list[dict]:
    query = sa.select(model).order_by(model.created_at, model.id)
    if where is not None:
        query = query.where(where)
    if limit is not None:
        query = query.order_by(None).order_by(model.created_at.desc(), model.id.desc()).limit(limit)
    try:
        with session_scope(database_url) as session:
            return [row_to_dict(row) for row in session.execute(query).scalars()]
    except (SQLAlchemyError, OSError) as error:
        raise storage_unavailable(error) from None


def booking_requests_for(conversation_id: str, database_url: str | None = None) -> list[dict]:
    """The conversation's booking requests as dicts, oldest first."""
    return _rows(BookingRequest, BookingRequest.conversation_id == conversation_id, database_url)


def handoff_requests_for(conversation_id: str, database_url: str | None = None) -> list[dict]:
    """The conversation's requests to talk to a person as dicts, oldest first."""
    return _rows(HandoffRequest, HandoffRequest.conversation_id == conversation_id, database_url)


def recent_booking_requests(
    limit: int = 100, status: str | None = None, database_url: str | None = None
) -> list[dict]:
    """The newest booking requests (optionally with one status), newest first."""
    where = BookingRequest.status == status if status else None
    return _rows(BookingRequest, where, database_url, limit)
