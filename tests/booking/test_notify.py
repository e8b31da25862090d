"""Staff are told about each request by email and/or webhook; failures retry, nothing is lost."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bot.booking.notify.messages import SIGNATURE_HEADER
from bot.booking.notify.outbox import backoff, deliver_pending
from bot.booking.notify.worker import kick_delivery
from bot.booking.store import BookingDraft, booking_requests_for, record_handoff, submit_booking
from bot.db import get_engine

PERSONAL = ("Jane", "Doe", "+13035550100", "555-0100", "Tuesday", "low back pain")


def booking(url: str, key: str = "k1", conversation_id: str = "conv-notify"):
    draft = BookingDraft(
        conversation_id=conversation_id,
        channel="socketio",
        name="Jane Doe",
        contact_kind="phone",
        contact_value="303-555-0100",
        clinic_location="Boulder",
        preferred_times="Tuesday mornings",
        reason="low back pain",
    )
    return submit_booking(draft, key, database_url=url)


def outbox(url: str) -> list[dict]:
    with get_engine(url).connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                sa.text("SELECT * FROM notification_outbox ORDER BY id")
            ).mappings()
        ]


def soon() -> datetime:
    return datetime.now(timezone.utc) + timedelta(seconds=1)


def use_smtp(monkeypatch, port: int) -> None:
    monkeypatch.setenv("NOTIFY_EMAIL_TO", "frontdesk@mend.example")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))


def test_email_reaches_staff_with_everything_needed(db_url, smtp_server, monkeypatch) -> None:
    smtp_server.start()
    use_smtp(monkeypatch, smtp_server.port)
    stored = booking(db_url)

    report = deliver_pending(db_url, now=soon())

    assert (report.delivered, report.failed, report.waiting) == (1, 0, 0)
    [message] = smtp_server.messages
    assert message["Subject"] == f"New booking request {stored.reference}"
    assert not any(value in message["Subject"] for value in PERSONAL)
    assert message["To"] == "frontdesk@mend.example"
    assert message["From"] == "mend-assistant@localhost"
    body = message.get_payload(decode=True).decode()
    for needed in (
        stored.reference,
        "Jane Doe",
        "+13035550100",
        "Boulder",
        "Tuesday mornings",
        "low back pain",
        "conv-notify",
        "socketio",
    ):
        assert needed in body
    [row] = outbox(db_url)
    assert row["delivered_at"] is not None and row["last_error"] is None

    again = deliver_pending(db_url, now=soon() + timedelta(hours=2))
    assert again.delivered == 0 and len(smtp_server.messages) == 1  # never sent twice


def test_handoff_email_says_someone_asked_for_a_person(sqlite_url, smtp_server, monkeypatch):
    smtp_server.start()
    use_smtp(monkeypatch, smtp_server.port)
    stored = record_handoff(
        "conv-h",
        "twilio",
        "asked for a person",
        "phone",
        "7205550199",
        idempotency_key="h",
        database_url=sqlite_url,
    )
    deliver_pending(sqlite_url, now=soon())
    [message] = smtp_server.messages
    assert message["Subject"] == f"Patient asked to talk to a person ({stored.reference})"
    body = message.get_payload(decode=True).decode()
    assert "+17205550199" in body and "asked for a person" in body


def test_smtp_down_is_retried_later_and_the_request_is_kept(
    db_url, smtp_server, monkeypatch, caplog
) -> None:
    use_smtp(monkeypatch, smtp_server.port)  # nothing listens there yet
    stored = booking(db_url)
    first_try = soon()
    caplog.set_level(logging.DEBUG)

    report = deliver_pending(db_url, now=first_try)

    assert (report.delivered, report.failed, report.waiting) == (0, 1, 1)
    [row] = outbox(db_url)
    assert row["attempts"] == 1 and row["delivered_at"] is None
    assert "Connection" in row["last_error"] or "refused" in row["last_error"].lower()
    for personal in PERSONAL:
        assert personal not in row["last_error"]
        assert personal not in caplog.text
    assert "failed" in caplog.text and stored.reference in caplog.text
    [request] = booking_requests_for("conv-notify", database_url=db_url)
    assert request["reference"] == stored.reference and request["status"] == "new"

    # Not due again before the backoff has passed.
    assert deliver_pending(db_url, now=first_try + timedelta(seconds=5)).failed == 0

    smtp_server.start()
    report = deliver_pending(db_url, now=first_try + backoff(1) + timedelta(seconds=1))
    assert (report.delivered, report.failed, report.waiting) == (1, 0, 0)
    [message] = smtp_server.messages
    assert stored.reference in message["Subject"]
    [row] = outbox(db_url)
    assert row["attempts"] == 2 and row["delivered_at"] is not None and row["last_error"] is None


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50) == timedelta(hours=1)


def test_webhook_is_signed_with_hmac(sqlite_url, webhook_server, monkeypatch) -> None:
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", webhook_server.url)
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", "s3cret")
    stored = booking(sqlite_url)

    report = deliver_pending(sqlite_url, now=soon())

    assert report.delivered == 1
    [(headers, body)] = webhook_server.requests
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER.lower()], expected)
    assert headers["content-type"] == "application/json"
    document = json.loads(body)
    assert document["event"] == "booking.created"
    assert document["reference"] == stored.reference
    assert document["request"]["contact_value"] == "+13035550100"
    assert "idempotency_key" not in document["request"]
    assert stored.reference in document["text"]


def test_webhook_without_secret_is_unsigned(sqlite_url, webhook_server, monkeypatch) -> None:
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", webhook_server.url)
    booking(sqlite_url)
    deliver_pending(sqlite_url, now=soon())
    [(headers, _)] = webhook_server.requests
    assert SIGNATURE_HEADER.lower() not in headers


def test_webhook_failure_retries_without_emailing_twice(
    sqlite_url, smtp_server, webhook_server, monkeypatch
) -> None:
    smtp_server.start()
    use_smtp(monkeypatch, smtp_server.port)
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", webhook_server.url)
    webhook_server.status = 500
    booking(sqlite_url)
    now = soon()

    report = deliver_pending(sqlite_url, now=now)
    assert (report.delivered, report.failed) == (0, 1)
    assert len(smtp_server.messages) == 1
    assert outbox(sqlite_url)[0]["last_error"] == "webhook answered HTTP 500"

    webhook_server.status = 204
    report = deliver_pending(sqlite_url, now=now + timedelta(minutes=5))
    assert report.delivered == 1
    assert len(webhook_server.requests) == 2
    assert len(smtp_server.messages) == 1


def test_without_a_notifier_requests_wait_and_are_sent_once_configured(
    sqlite_url, smtp_server, monkeypatch, caplog
) -> None:
    booking(sqlite_url)
    caplog.set_level(logging.WARNING)
    report = deliver_pending(sqlite_url, now=soon())
    assert (report.delivered, report.waiting) == (0, 1)
    assert "NOTIFY_EMAIL_TO" in caplog.text
    assert outbox(sqlite_url)[0]["delivered_at"] is None

    smtp_server.start()
    use_smtp(monkeypatch, smtp_server.port)
    assert deliver_pending(sqlite_url, now=soon()).delivered == 1
    assert len(smtp_server.messages) == 1


def test_kick_delivery_sends_in_the_background(sqlite_url, smtp_server, monkeypatch) -> None:
    smtp_server.start()
    use_smtp(monkeypatch, smtp_server.port)
    stored = booking(sqlite_url)
    thread = kick_delivery(sqlite_url)
    assert thread is not None
    thread.join(30)
    assert not thread.is_alive()
    [message] = smtp_server.messages
    assert stored.reference in message["Subject"]


def test_kick_delivery_never_raises(monkeypatch) -> None:
    assert kick_delivery("postgresql://127.0.0.1:1/x") is None  # nothing configured
    use_smtp(monkeypatch, 1)
    thread = kick_delivery("postgresql://127.0.0.1:1/x")  # database down
    if thread is not None:
        thread.join(30)


def test_cli_notify_once(sqlite_url, smtp_server, monkeypatch, capsys) -> None:
    from bot.cli import main
    from bot.db import get_engine as cached_engine
    from bot.settings import get_settings

    smtp_server.start()
    use_smtp(monkeypatch, smtp_server.port)
    booking(sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    cached_engine.cache_clear()
    try:
        main(["notify", "once"])
    finally:
        monkeypatch.delenv("DATABASE_URL")
        get_settings.cache_clear()
        cached_engine.cache_clear()
    assert capsys.readouterr().out.strip() == "1 delivered, 0 failed, 0 waiting"
    assert len(smtp_server.messages) == 1


def test_now_in_another_time_zone_is_treated_as_utc(sqlite_url, smtp_server, monkeypatch):
    """A Denver-time "now" an hour before the request in UTC terms must not deliver it."""
    from zoneinfo import ZoneInfo

    smtp_server.start()
    use_smtp(monkeypatch, smtp_server.port)
    booking(sqlite_url)
    denver_earlier = (datetime.now(timezone.utc) - timedelta(hours=1)).astimezone(
        ZoneInfo("America/Denver")
    )
    assert deliver_pending(sqlite_url, now=denver_earlier).delivered == 0
    denver_now = soon().astimezone(ZoneInfo("America/Denver"))
    assert deliver_pending(sqlite_url, now=denver_now).delivered == 1
