"""Helpers for the SMS channel tests: a temp database, a stand-in for Twilio's API, a signed client.

Most tests run the channel's Sanic blueprint in-process with a scripted bot in place of Rasa
(``FakeBot``), so they are fast and exercise exactly what the channel does with what the bot
says. Requests are signed with Twilio's own ``RequestValidator`` for the public URL, and replies
go through the real ``twilio`` client to a local HTTP server that records them.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from alembic import command
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from twilio.request_validator import RequestValidator

from bot.db import get_engine
from bot.db.migrate import alembic_config
from bot.settings import get_settings
from bot.sms.channel import TwilioSmsInput

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-12345"
CLINIC_NUMBER = "+13035550199"
PATIENT = "+13035550142"
PUBLIC_URL = "https://sms.mend.example/webhooks/twilio/webhook"
WEBHOOK_PATH = "/webhooks/twilio/webhook"

_app_numbers = itertools.count()


def reset_caches() -> None:
    """Close pooled connections and forget cached settings, as a restarted server would."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "sms@head")


@dataclass
class SentSms:
    to: str
    from_: str
    body: str
    account: str


class FakeTwilio:
    """A local HTTP server standing in for api.twilio.com's Messages endpoint."""

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self.fail_with: int | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                parts = self.path.split("/")
                if owner.fail_with:
                    self._reply(
                        owner.fail_with,
                        {"code": 21610, "message": "unsubscribed", "status": owner.fail_with},
                    )
                    return
                if len(parts) < 5 or not self.path.endswith("/Messages.json"):
                    self._reply(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                owner.sent.append(
                    SentSms(
                        form.get("To", ""), form.get("From", ""), form.get("Body", ""), parts[3]
                    )
                )
                self._reply(
                    201,
                    {
                        "sid": "SM" + uuid.uuid4().hex,
                        "account_sid": parts[3],
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "status": "queued",
                    },
                )

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def bodies(self, to: str = PATIENT) -> list[str]:
        return [sms.body for sms in self.sent if sms.to == to]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


LONG_ANSWER = " ".join(
    f"Sentence number {n} explains one more thing about hips and low backs in plain words."
    for n in range(1, 61)
)
CITATIONS = {
    "type": "citations",
    "answer_id": "hip_back_link",
    "sources": [
        {
            "id": "mend-blog-2023",
            "kind": "blog_post",
            "short": "Mend PT blog, May 23 2023",
            "title": "Lack Of Hip Mobility Impacts Low Back Pain Symptoms",
            "url": "https://mend.example/blog/hips",
            "doi_url": None,
            "pubmed_url": None,
        },
        {
            "id": "kim-shin-2020",
            "kind": "study",
            "short": "Kim & Shin, Med Sci Monit 2020",
            "title": "Correlations Between Hip Extension Range of Motion...",
            "url": "https://doi.org/10.12659/MSM.925080",
            "doi_url": "https://doi.org/10.12659/MSM.925080",
            "pubmed_url": "https://pubmed.ncbi.nlm.nih.gov/32968039/",
        },
    ],
}
BOOK_BUTTONS = [
    {"title": "Boulder", "payload": '/inform{"clinic_location": "boulder"}'},
    {"title": "Lafayette", "payload": '/inform{"clinic_location": "lafayette"}'},
]


def scripted_reply(text: str) -> list[dict[str, Any]]:
    """What the stand-in bot says to ``text`` (the shapes Rasa's dispatcher produces)."""
    if text == "why do hips matter":
        return [
            {"text": "Stiff hips can make your **lower back** do extra work."},
            {"text": "Sources:\n- Kim WD, Shin D. Correlations... DOI: https://doi.org/x"},
            {"custom": CITATIONS},
            {
                "text": "Anything else I can help with?",
                "buttons": [
                    {"title": "Clinic locations", "payload": "/clinic_locations"},
                    {"title": "Request an appointment", "payload": "/book_appointment"},
                ],
            },
        ]
    if text in ("book", "/book_appointment"):
        return [{"text": "Which clinic would suit you best?", "buttons": BOOK_BUTTONS}]
    if text == "tell me everything":
        return [{"text": LONG_ANSWER}]
    if text == "boom":
        raise RuntimeError("the bot broke")
    return [{"text": f"You said: {text}"}]


@dataclass
class FakeBot:
    """Stands in for Rasa's agent: records each UserMessage and answers from a script."""

    received: list[UserMessage] = field(default_factory=list)
    script: Callable[[str], list[dict[str, Any]]] = scripted_reply

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.received]

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        for reply in self.script(message.text):
            await message.output_channel.send_response(message.sender_id, dict(reply))


class SmsClient:
    """Posts form-encoded webhooks to one channel's blueprint, signed like Twilio signs them."""

    def __init__(self, http: httpx.AsyncClient, token: str = AUTH_TOKEN) -> None:
        self.http = http
        self.validator = RequestValidator(token)
        self._sids = itertools.count(1)

    def form(self, body: str | None, sender: str = PATIENT, sid: str | None = None) -> dict:
        form = {
            "MessageSid": sid or f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": CLINIC_NUMBER,
            "NumMedia": "0",
        }
        if body is not None:
            form["Body"] = body
        return form

    def sign(self, form: dict, url: str = PUBLIC_URL) -> str:
        return self.validator.compute_signature(url, form)

    async def post(self, form: dict, signature: str | None = "sign") -> httpx.Response:
        headers = {}
        if signature == "sign":
            signature = self.sign(form)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return await self.http.post(WEBHOOK_PATH, data=form, headers=headers)

    async def text(self, body: str | None, sender: str = PATIENT) -> httpx.Response:
        return await self.post(self.form(body, sender))


async def start_channel(channel: TwilioSmsInput, bot: FakeBot) -> httpx.AsyncClient:
    """The channel's blueprint in a fresh Sanic app, mounted where Rasa mounts it."""
    Sanic.test_mode = True
    app = Sanic(f"sms_test_{next(_app_numbers)}")
    app.blueprint(channel.blueprint(bot), url_prefix=f"/webhooks/{channel.url_prefix()}")
    await app._startup()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
