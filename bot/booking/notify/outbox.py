"""The transactional outbox: claim due rows, send each notifier once, retry failures with backoff.

Two deliverers (the action server's kick and the worker process) can run at once: a row is claimed
by pushing its ``next_attempt_at`` forward in one atomic UPDATE before sending. Each notifier is
tracked on its own, so a retry after a webhook failure does not email staff twice.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.booking.models import BookingRequest, HandoffRequest, NotificationOutbox
from bot.booking.notify.messages import SIGNATURE_HEADER, build_email, sign, webhook_body
from bot.booking.notify.settings import NotifySettings
from bot.booking.store import row_to_dict, storage_unavailable
from bot.db import session_scope
from bot.db.types import as_utc, utcnow
from bot.privacy import mask_contacts_in_text

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
LEASE_SECONDS = 120
BATCH_SIZE = 50
MODELS = {"booking": BookingRequest, "handoff": HandoffRequest}


@dataclass
class DeliveryReport:
    """What one :func:`deliver_pending` run did (counts of outbox rows)."""

    delivered: int = 0
    failed: int = 0
    waiting: int = 0
    references: list[str] = field(default_factory=list)


class DeliveryError(RuntimeError):
    """A notifier failed; the message is safe to log and store (no personal data)."""


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts``: 30 s, 1 min, 2 min... capped at one hour."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def safe_error(error: BaseException) -> str:
    """A short description of a delivery failure without addresses or message content."""
    if isinstance(error, DeliveryError):
        text = str(error)
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{type(error).__name__} {error.smtp_code}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "SMTPRecipientsRefused"
    elif isinstance(error, OSError) and error.strerror:
        text = f"{type(error).__name__}: {error.strerror}"
    else:
        text = type(error).__name__
    return mask_contacts_in_text(text)[:500]


# --- notifiers -----------------------------------------------------------------------------


def send_email(message: EmailMessage, settings: NotifySettings) -> None:
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    with smtp_class(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls and not settings.smtp_ssl:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


def post_webhook(body: bytes, kind: str, settings: NotifySettings) -> None:
    import httpx

    headers = {"Content-Type": "application/json", "X-Mend-Event": f"{kind}.created"}
    if settings.webhook_secret:
        headers[SIGNATURE_HEADER] = sign(body, settings.webhook_secret)
    response = httpx.post(
        settings.webhook_url or "", content=body, headers=headers, timeout=settings.webhook_timeout
    )
    if response.status_code >= 300:
        raise DeliveryError(f"webhook answered HTTP {response.status_code}")


# --- the outbox ----------------------------------------------------------------------------


def _due_ids(now: datetime, database_url: str | None) -> list[int]:
    table = NotificationOutbox
    with session_scope(database_url) as session:
        return list(
            session.execute(
                sa.select(table.id)
                .where(table.delivered_at.is_(None), table.next_attempt_at <= now)
                .order_by(table.id)
                .limit(BATCH_SIZE)
            ).scalars()
        )


def _claim(outbox_id: int, now: datetime, database_url: str | None) -> bool:
    """Atomically lease the row so a concurrent deliverer skips it."""
    table = NotificationOutbox
    with session_scope(database_url) as session:
        result = session.execute(
            sa.update(table)
            .where(
                table.id == outbox_id,
                table.delivered_at.is_(None),
                table.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _load(outbox_id: int, database_url: str | None) -> tuple[dict, dict | None]:
    with session_scope(database_url) as session:
        outbox = session.get(NotificationOutbox, outbox_id)
        row = row_to_dict(outbox)
        request = session.get(MODELS[outbox.kind], outbox.request_id)
        return row, (row_to_dict(request) if request is not None else None)


def _update(outbox_id: int, database_url: str | None, **values: Any) -> None:
    with session_scope(database_url) as session:
        session.execute(
            sa.update(NotificationOutbox)
            .where(NotificationOutbox.id == outbox_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _deliver_one(
    outbox_id: int, now: datetime, settings: NotifySettings, database_url: str | None
) -> bool | None:
    """Deliver one claimed row: True delivered, False failed (retry later), None skipped."""
    outbox, request = _load(outbox_id, database_url)
    if request is None:
        _update(outbox_id, database_url, delivered_at=now, last_error="request no longer exists")
        return None
    kind = outbox["kind"]
    try:
        if settings.email_enabled and outbox["email_sent_at"] is None:
            send_email(build_email(kind, request, settings), settings)
            _update(outbox_id, database_url, email_sent_at=now)
        if settings.webhook_enabled and outbox["webhook_sent_at"] is None:
            post_webhook(webhook_body(kind, request, now), kind, settings)
            _update(outbox_id, database_url, webhook_sent_at=now)
    except Exception as error:  # noqa: BLE001 - any notifier failure is retried, never raised
        attempts = (outbox["attempts"] or 0) + 1
        reason = safe_error(error)
        _update(
            outbox_id,
            database_url,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_error=reason,
        )
        logger.warning(
            "staff notification for %s %s failed (attempt %d, retry in %s): %s",
            kind,
            request["reference"],
            attempts,
            backoff(attempts),
            reason,
        )
        return False
    _update(
        outbox_id,
        database_url,
        delivered_at=now,
        attempts=(outbox["attempts"] or 0) + 1,
        last_error=None,
    )
    logger.info("staff notified of %s %s", kind, request["reference"])
    return True


def pending_count(database_url: str | None = None) -> int:
    """Outbox rows not yet delivered (due or waiting for a retry)."""
    try:
        with session_scope(database_url) as session:
            return session.execute(
                sa.select(sa.func.count())
                .select_from(NotificationOutbox)
                .where(NotificationOutbox.delivered_at.is_(None))
            ).scalar_one()
    except (SQLAlchemyError, OSError) as error:
        raise storage_unavailable(error) from None


def deliver_pending(
    database_url: str | None = None,
    now: datetime | None = None,
    settings: NotifySettings | None = None,
) -> DeliveryReport:
    """Send every due, undelivered notification once; failures are scheduled for a retry.

    Raises :class:`bot.booking.store.StorageUnavailable` only if the database cannot be read.
    """
    now = as_utc(now) or utcnow()  # a naive ``now`` (tests, callers) is taken as UTC
    settings = settings or NotifySettings.from_env()
    report = DeliveryReport()
    if not settings.enabled:
        report.waiting = pending_count(database_url)
        if report.waiting:
            logger.warning(
                "%d staff notification(s) waiting: set NOTIFY_EMAIL_TO or NOTIFY_WEBHOOK_URL",
                report.waiting,
            )
        return report
    try:
        for outbox_id in _due_ids(now, database_url):
            if not _claim(outbox_id, now, database_url):
                continue
            outcome = _deliver_one(outbox_id, now, settings, database_url)
            if outcome:
                report.delivered += 1
            elif outcome is False:
                report.failed += 1
    except (SQLAlchemyError, OSError) as error:
        raise storage_unavailable(error) from None
    report.waiting = pending_count(database_url)
    return report
