"""``python -m bot sms ...``: SMS housekeeping.

``sms forget-processed --older-than DAYS`` trims the table of processed Twilio MessageSids, which
only needs to remember messages long enough to catch Twilio's retries (minutes) and replays.
"""

from __future__ import annotations

import argparse

from bot.sms import store

DEFAULT_DAYS = 30


def forget_processed(args: argparse.Namespace) -> None:
    removed = store.forget_processed(args.older_than)
    print(f"forgot {removed} processed SMS message id(s) older than {args.older_than} days")


def register(subparsers: argparse._SubParsersAction) -> None:
    sms = subparsers.add_parser("sms", help="SMS (Twilio) housekeeping")
    commands = sms.add_subparsers(dest="sms_command", required=True)
    forget = commands.add_parser(
        "forget-processed", help="delete old processed MessageSids (replay protection)"
    )
    forget.add_argument("--older-than", type=int, default=DEFAULT_DAYS, metavar="DAYS")
    forget.set_defaults(func=forget_processed)
