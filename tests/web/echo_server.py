"""A Rasa-less stand-in bot on the real socket.io channel, for fast widget and channel tests.

``python tests/web/echo_server.py PORT`` serves ``GuardedSocketIOInput`` (settings from the
environment, so ``WEB_ALLOWED_ORIGINS`` applies) with a scripted "bot" instead of a model:

* ``/greet``   -> the start-of-conversation notice
* ``/answer``  -> an answer, its "Sources:" text and the structured sources (as the real bot)
* ``/buttons`` -> a question with two buttons
* ``/long``    -> a three-part answer, each part long, ending with buttons (scrolling)
* ``/later``   -> one reply now and another after a pause (the "new messages" hint)
* ``/urgent``  -> urgent advice as the safety net sends it: plain text, then the structured
  ``{"type": "urgent", "tier": "1", ...}`` payload (``/urgent2``: tier 2, "see a doctor today";
  ``/urgent_old``: the payload without a tier, as older servers send)
* ``/summary`` -> a booking summary with its confirm/change/cancel buttons
* ``/fail``    -> raises, to check the channel's apology
* anything else -> ``You said: <text>`` and the conversation id, so tests can see the sender.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.socketio import GuardedSocketIOInput

NOTICE = "I share general education, not a diagnosis. In an emergency call 911."
ANSWER = "Your hips and lower back work together, so we check both."
SOURCES_TEXT = "Sources: Example study (2020) https://doi.org/10.12659/MSM.925080"
SOURCES = [
    {
        "id": "study",
        "kind": "study",
        "title": "Example study of hips and low back pain",
        "short": "Example et al., 2020",
        "url": None,
        "doi_url": "https://doi.org/10.12659/MSM.925080",
        "pubmed_url": "https://pubmed.ncbi.nlm.nih.gov/1/",
        "pmc_url": None,
    },
    {"id": "bad", "kind": "blog", "title": "Bad link", "short": "x", "url": "javascript:alert(1)"},
]


CLINIC_PHONE = "(303) 555-0100"
LONG_PARTS = [
    "Part one. " + "Your hips and your lower back move together when you walk and bend. " * 6,
    "Part two. " + "Stiff hips can make the lower back do more of the work in daily moves. " * 6,
    "Part three. " + "A physical therapist checks both, then picks exercises that fit you. " * 6,
]
URGENT_TEXT = {
    # Two paragraphs: the socket.io channel sends each as its own message, as the real bot's.
    "1": "Losing control of your bladder can be a sign of a serious problem.\n\nCall 911 now or "
    f"go to the emergency room. You can also call the clinic at {CLINIC_PHONE}.",
    "2": "A fever with back pain needs a doctor's check today. See a doctor today, or call the "
    f"clinic at {CLINIC_PHONE}. If it gets worse, call 911.",
}
LEVELS = {"1": "emergency", "2": "doctor_today"}
SUMMARY = (
    "Here is your appointment request:\nName: Jane Tester\nContact: (303) 555-0142\n"
    "Clinic: Lafayette\nTimes: weekday mornings\nReason: low back pain\nShall I send it?"
)
SUMMARY_BUTTONS = [
    {"title": "Confirm and send", "payload": "/affirm"},
    {"title": "Change something", "payload": "/change_booking"},
    {"title": "Cancel", "payload": "/cancel_booking"},
]


async def send_urgent(out, to: str, tier: str | None) -> None:
    text = URGENT_TEXT[tier or "1"]
    await out.send_text_message(to, text)
    payload = {
        "type": "urgent",
        "text": text,
        "emergency_number": "911",
        "clinic_phone": CLINIC_PHONE,
    }
    if tier:
        payload.update({"tier": tier, "level": LEVELS[tier]})
    await out.send_custom_json(to, payload)


async def scripted_bot(message: UserMessage) -> None:
    out, to = message.output_channel, message.sender_id
    if message.text == "/greet":
        await out.send_text_message(to, NOTICE)
    elif message.text == "/answer":
        await out.send_text_message(to, ANSWER)
        await out.send_text_message(to, SOURCES_TEXT)
        await out.send_custom_json(to, {"answer_id": "why_check_hips", "sources": SOURCES})
    elif message.text == "/buttons":
        await out.send_text_with_buttons(
            to,
            "Which clinic?",
            [
                {"title": "Boulder", "payload": "/choose_boulder"},
                {"title": "Lafayette", "payload": "/choose_lafayette"},
            ],
        )
    elif message.text == "/long":
        for part in LONG_PARTS[:-1]:
            await out.send_text_message(to, part)
        await out.send_text_with_buttons(
            to, LONG_PARTS[-1], [{"title": "Request an appointment", "payload": "/book"}]
        )
    elif message.text == "/later":
        await out.send_text_message(to, "First reply, now.")
        await asyncio.sleep(1.5)
        await out.send_text_message(to, "Second reply, a little later.")
    elif message.text in ("/urgent", "/urgent2", "/urgent_old"):
        tiers = {"/urgent": "1", "/urgent2": "2", "/urgent_old": None}
        await send_urgent(out, to, tiers[message.text])
    elif message.text == "/summary":
        await out.send_text_with_buttons(to, SUMMARY, SUMMARY_BUTTONS)
    elif message.text == "/phone":
        await out.send_text_message(
            to, f"Call us at {CLINIC_PHONE} or 303-555-0111. Not a phone: 2020-09-24, 9115, 19110."
        )
    elif message.text == "/fail":
        raise RuntimeError("scripted failure")
    else:
        await out.send_text_message(to, f"You said: {message.text}\nConversation: {to}")


def build_app() -> Sanic:
    app = Sanic(f"echo_{uuid.uuid4().hex[:8]}")
    channel = GuardedSocketIOInput.from_credentials(
        {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
        }
    )
    app.blueprint(channel.blueprint(scripted_bot), url_prefix="/webhooks/socketio")
    return app


if __name__ == "__main__":
    build_app().run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
