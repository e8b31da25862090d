"""Running the outbox: a background kick after each request, and the ``notify`` worker process.

The kick (:func:`kick_delivery`) lets staff hear of a request within seconds without the
conversation waiting; the worker (``python -m bot notify run``) retries whatever the kick missed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from bot.booking.notify.outbox import deliver_pending, safe_error
from bot.booking.notify.settings import NotifySettings
from bot.booking.store import StorageUnavailable

logger = logging.getLogger(__name__)


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

    Call it right after :func:`bot.booking.store.submit_booking` / ``record_handoff``. Returns the
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
    with contextlib.suppress(KeyboardInterrupt):
        run_worker(interval_seconds=args.interval)


def register(subparsers: Any) -> None:
    """``python -m bot notify once|run``: deliver staff notifications from the outbox."""
    parser = subparsers.add_parser("notify", help="staff notifications (email/webhook)")
    commands = parser.add_subparsers(dest="notify_command", required=True)
    commands.add_parser("once", help="deliver what is due, then exit").set_defaults(func=_once)
    run = commands.add_parser("run", help="keep delivering (a worker process)")
    run.add_argument("--interval", type=float, default=10, help="seconds between runs")
    run.set_defaults(func=_run)
