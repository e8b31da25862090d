"""A Rasa-less stand-in bot on the real socket.io channel, for fast widget and channel tests.

``python tests/web/echo_server.py PORT`` serves ``GuardedSocketIOInput`` (settings from the
environment, so ``WEB_ALLOWED_ORIGINS`` applies) with a scripted "bot" instead of a model:

* ``/greet``   -> the start-of-conversation notice
* ``/answer``  -> an answer, its "Sources:" text and the structured sources (as the real bot)
* ``/buttons`` -> a question with two buttons
* ``/fail``    -> raises, to check the channel's apology
* anything else -> ``You said: <text>`` and the conversation id, so tests can see the sender.
"""

from __future__ import annotations

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
