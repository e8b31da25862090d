"""Carrier keywords (STOP, START, HELP), matched the way Twilio matches them.

Twilio and the carriers act on a message that is exactly one keyword (any case, surrounding
spaces ignored), so the bot does the same and its opt-out records agree with Twilio's. That
means a message that is just "cancel" is an opt-out on SMS even in the middle of a booking
form (where "cancel" would otherwise stop the form): Twilio itself stops delivering our
messages after it, so treating it as anything else would leave the patient without replies.
A longer message ("cancel my booking", "please stop") is an ordinary message for the bot.
"""

from __future__ import annotations

from bot.knowledge import Clinic

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"

KEYWORDS: dict[str, str] = {
    **{word: OPT_OUT for word in ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")},
    **{word: OPT_IN for word in ("START", "UNSTOP")},
    **{word: HELP for word in ("HELP", "INFO")},
}


def keyword_of(text: str | None) -> str | None:
    """OPT_OUT, OPT_IN or HELP if the whole message is that keyword, else None."""
    if not text:
        return None
    return KEYWORDS.get(text.strip().upper())


def opt_out_reply(clinic: Clinic) -> str:
    return (
        f"You're unsubscribed from {clinic.name} texts and won't get any more messages from "
        "this number. Reply START to resubscribe."
    )


def opt_in_reply(clinic: Clinic) -> str:
    return (
        f"You're subscribed to {clinic.name} texts again. Ask me about low back pain and your "
        "hips, or text BOOK to request an appointment. Reply HELP for help, STOP to opt out."
    )


def help_reply(clinic: Clinic) -> str:
    return (
        f"{clinic.name} text assistant: answers about low back pain and hips, and appointment "
        f"requests. To talk to a person call {clinic.phone}. Reply STOP to opt out, START to "
        f"opt back in. Msg & data rates may apply. In an emergency call {clinic.emergency_number}."
    )
