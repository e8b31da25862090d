"""Tell staff about new booking and talk-to-a-person requests: email over SMTP and/or a webhook.

Requests are stored with an outbox row in the same transaction (:mod:`bot.bookings`); this module
delivers the outbox. A delivery that fails is logged (without personal data) and retried with
exponential backoff; the stored request is never changed or lost. Each notifier is tracked on its
own, so a retry after a webhook failure does not email staff twice. Two deliverers (the action
server's :func:`kick_delivery` and the ``python -m bot notify run`` worker) can run at once: a
row is claimed by pushing its ``next_attempt_at`` forward in one atomic UPDATE before sending.

Settings (environment variables):

=======================  =============================================================
NOTIFY_EMAIL_TO          staff address(es), comma-separated; enables email
NOTIFY_EMAIL_FROM        sender, default ``mend-assistant@localhost``
SMTP_HOST / SMTP_PORT    default ``localhost`` / 25
SMTP_USERNAME/PASSWORD   optional login
SMTP_STARTTLS            ``true`` to upgrade the connection with STARTTLS
SMTP_SSL                 ``true`` for implicit TLS (usually port 465)
NOTIFY_WEBHOOK_URL       enables a JSON POST per request
NOTIFY_WEBHOOK_SECRET    optional; signs the body: ``X-Mend-Signature: sha256=<hex HMAC>``
=======================  =============================================================

With no notifier configured, rows stay pending (nothing is marked delivered that nobody saw) and
are sent once a notifier is configured; staff can always see requests in staff review.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import smtplib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.bookings import StorageUnavailable, _unavailable, row_to_dict
from bot.contact import mask_contacts_in_text
from bot.db import session_scope
from bot.db.models_bookings import BookingRequest, HandoffRequest, NotificationOutbox

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
LEASE_SECONDS = 120
BATCH_SIZE = 50
SIGNATURE_HEADER = "X-Mend-Signature"
MODELS = {"booking": BookingRequest, "handoff": HandoffRequest}
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


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _text(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class NotifySettings:
    """Where staff notifications go; read from the environment on every delivery run."""

    email_to: tuple[str, ...] = ()
    email_from: str = "mend-assistant@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = 10.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout: float = 5.0

    @classmethod
    def from_env(cls) -> NotifySettings:
        recipients = tuple(
            item.strip() for item in (_text("NOTIFY_EMAIL_TO") or "").split(",") if item.strip()
        )
        port = _text("SMTP_PORT", "25") or "25"
        try:
            smtp_port = int(port)
        except ValueError as error:
            raise ValueError(f"Setting SMTP_PORT must be a whole number, got {port!r}") from error
        return cls(
            email_to=recipients,
            email_from=_text("NOTIFY_EMAIL_FROM", "mend-assistant@localhost") or "",
            smtp_host=_text("SMTP_HOST", "localhost") or "localhost",
            smtp_port=smtp_port,
            smtp_username=_text("SMTP_USERNAME"),
            smtp_password=_text("SMTP_PASSWORD"),
            smtp_starttls=_flag("SMTP_STARTTLS"),
            smtp_ssl=_flag("SMTP_SSL"),
            webhook_url=_text("NOTIFY_WEBHOOK_URL"),
            webhook_secret=_text("NOTIFY_WEBHOOK_SECRET"),
        )

    @property
    def email_enabled(self) -> bool:
        return bool(self.email_to)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)

    @property
    def enabled(self) -> bool:
        return self.email_enabled or self.webhook_enabled


@dataclass
class DeliveryReport:
    """What one :func:`deliver_pending` run did (counts of outbox rows)."""

    delivered: int = 0
    failed: int = 0
    waiting: int = 0
    references: list[str] = field(default_factory=list)


class DeliveryError(RuntimeError):
    """A notifier failed; the message is safe to log and store (no personal data)."""


def _utc(value: datetime | None) -> datetime | None:
    """UTC, as every stored time is (SQLite compares times as text)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


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


# --- messages ------------------------------------------------------------------------------


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
        raise _unavailable(error) from None


def deliver_pending(
    database_url: str | None = None,
    now: datetime | None = None,
    settings: NotifySettings | None = None,
) -> DeliveryReport:
    """Send every due, undelivered notification once; failures are scheduled for a retry.

    Raises :class:`bot.bookings.StorageUnavailable` only if the database cannot be read.
    """
    now = _utc(now) or datetime.now(timezone.utc)
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
        raise _unavailable(error) from None
    report.waiting = pending_count(database_url)
    return report


# --- running it ----------------------------------------------------------------------------

_kick_lock = threading.Lock()
_kick_again = threading.Event()
_kick_url: list[str | None] = [None]


def _kick_loop() -> None:
    while True:
        try:
            while _kick_again.is_set():
                _kick_again.clear()
                try:
                    deliver_pending(_kick_url[0])
                except Exception as error:  # noqa: BLE001 - the worker will retry
                    logger.warning("background notification delivery failed: %s", safe_error(error))
        finally:
            _kick_lock.release()
        if not _kick_again.is_set() or not _kick_lock.acquire(blocking=False):
            return


def kick_delivery(database_url: str | None = None) -> threading.Thread | None:
    """Try delivery now in a background thread; never blocks or raises (the worker retries).

    Call it right after :func:`bot.bookings.submit_booking` / ``record_handoff``. Returns the
    thread it started (tests join it), or None if one is already running or nothing is set up.
    """
    try:
        if not NotifySettings.from_env().enabled:
            return None
        _kick_url[0] = database_url
        _kick_again.set()
        if not _kick_lock.acquire(blocking=False):
            return None
        thread = threading.Thread(target=_kick_loop, name="mend-notify-kick", daemon=True)
        try:
            thread.start()
        except Exception:
            _kick_lock.release()
            raise
        return thread
    except Exception as error:  # noqa: BLE001 - must never break the conversation
        logger.warning("could not start notification delivery: %s", safe_error(error))
        return None


def run_worker(
    interval_seconds: float = 10,
    database_url: str | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Deliver pending notifications every ``interval_seconds`` until ``stop`` is set."""
    stop = stop or threading.Event()
    logger.info("notification worker started (every %ss)", interval_seconds)
    while not stop.is_set():
        try:
            report = deliver_pending(database_url)
            if report.delivered or report.failed:
                logger.info(
                    "notifications: %d delivered, %d failed, %d waiting",
                    report.delivered,
                    report.failed,
                    report.waiting,
                )
        except StorageUnavailable as error:
            logger.warning("notification worker: %s", error)
        except Exception as error:  # noqa: BLE001 - keep the worker alive
            logger.warning("notification worker error: %s", safe_error(error))
        stop.wait(interval_seconds)


# --- command line --------------------------------------------------------------------------


def _once(args: Any) -> None:
    try:
        report = deliver_pending()
    except StorageUnavailable as error:
        raise SystemExit(f"notify: {error}") from None
    print(f"{report.delivered} delivered, {report.failed} failed, {report.waiting} waiting")


def _run(args: Any) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        run_worker(interval_seconds=args.interval)
    except KeyboardInterrupt:
        pass


def register(subparsers: Any) -> None:
    """``python -m bot notify once|run``: deliver staff notifications from the outbox."""
    parser = subparsers.add_parser("notify", help="staff notifications (email/webhook)")
    commands = parser.add_subparsers(dest="notify_command", required=True)
    commands.add_parser("once", help="deliver what is due, then exit").set_defaults(func=_once)
    run = commands.add_parser("run", help="keep delivering (a worker process)")
    run.add_argument("--interval", type=float, default=10, help="seconds between runs")
    run.set_defaults(func=_run)
