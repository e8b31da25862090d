"""``bot staff add|sync`` and ``bot logs purge``: staff accounts and conversation retention."""

from __future__ import annotations

import argparse
import getpass
import sys
import time

import sqlalchemy as sa

from bot.staff import auth
from bot.staff.models import (
    ConversationReview,
    ConversationSummary,
    IntentCorrection,
    RequestHandling,
    RequestStatusChange,
    events,
)


def read_password(stream=None, interactive: bool | None = None) -> str:
    """Prompt twice on a terminal; otherwise read the first line of standard input."""
    stream = stream or sys.stdin
    if interactive if interactive is not None else stream.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != first:
            raise auth.StaffError("the passwords differ")
        return first
    return stream.readline().rstrip("\r\n")


def staff_add(args: argparse.Namespace) -> int:
    try:
        outcome = auth.add_user(args.email, read_password(), args.role, update=args.update)
    except auth.StaffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    email = auth.login_email(args.email)
    auth.audit(f"staff_{outcome}", None, f"staff:{email}", {"role": args.role}, "cli")
    print(f"{outcome} {args.role} account {email}")
    return 0


def staff_sync(args: argparse.Namespace) -> int:
    from bot.staff import summary

    engine = auth.engine()
    count = summary.rebuild_all(engine) if args.rebuild else summary.sync(engine)
    print(f"read {count} events")
    return 0


def _old_senders(conn: sa.engine.Connection, cutoff: float) -> list[str]:
    query = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )
    return [row.sender_id for row in conn.execute(query)]


def purge(older_than_days: int, engine: sa.engine.Engine | None = None) -> int:
    """Delete conversations whose last event is older than the cutoff, with everything kept about
    them: events, summaries, reviews, intent corrections, booking and handoff requests.

    SMS opt-outs are kept: they record consent, which must outlive the conversation.
    """
    from bot.staff import inbox, summary

    engine = engine or auth.engine()
    if not summary.events_table_exists(engine):
        return 0
    cutoff = time.time() - older_than_days * 86400  # Rasa's event timestamps: epoch seconds
    with engine.begin() as conn:
        senders = _old_senders(conn, cutoff)
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            conn.execute(events.delete().where(events.c.sender_id.in_(chunk)))
            for table in (
                ConversationReview.__table__,
                IntentCorrection.__table__,
                ConversationSummary.__table__,
            ):
                conn.execute(table.delete().where(table.c.sender_id.in_(chunk)))
            for kind, table in inbox.TABLES.items():
                _purge_handling(conn, kind, table, chunk)
                conn.execute(table.delete().where(table.c.conversation_id.in_(chunk)))
    return len(senders)


def _purge_handling(
    conn: sa.engine.Connection, kind: str, table: sa.Table, senders: list[str]
) -> None:
    """The status history of the requests about to be deleted goes with them."""
    ids = sa.select(table.c.id).where(table.c.conversation_id.in_(senders))
    for model in (RequestHandling, RequestStatusChange):
        own = model.__table__
        conn.execute(own.delete().where(own.c.kind == kind, own.c.request_id.in_(ids)))


def logs_purge(args: argparse.Namespace) -> int:
    if args.older_than < 1:
        print("error: --older-than must be at least 1 day", file=sys.stderr)
        return 2
    count = purge(args.older_than)
    auth.audit(
        "purge", None, "conversations", {"older_than_days": args.older_than, "count": count}, "cli"
    )
    print(f"deleted {count} conversations older than {args.older_than} days")
    return 0


def _exit_with(func):
    return lambda args: sys.exit(func(args))


def register(subparsers: argparse._SubParsersAction) -> None:
    staff = subparsers.add_parser("staff", help="staff review accounts")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser("add", help="create a staff account (asks for the password)")
    add.add_argument("email")
    add.add_argument("--role", choices=auth.ROLES, default="staff")
    add.add_argument("--update", action="store_true", help="reset an existing account")
    add.set_defaults(func=_exit_with(staff_add))
    sync = staff_commands.add_parser("sync", help="update the conversation summaries now")
    sync.add_argument("--rebuild", action="store_true", help="rebuild every summary")
    sync.set_defaults(func=_exit_with(staff_sync))

    logs = subparsers.add_parser("logs", help="conversation logs")
    logs_commands = logs.add_subparsers(dest="logs_command", required=True)
    purge_parser = logs_commands.add_parser("purge", help="delete old conversations")
    purge_parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    purge_parser.set_defaults(func=_exit_with(logs_purge))
