"""What patients type stays out of the server logs, also when Rasa fails to parse it (issue 15)."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import httpx

from bot.settings import PROJECT_ROOT

from .conftest import RASA_API_TOKEN, REST_TOKEN

PROBES = [
    "/@ my number is 303-555-0111, my groin is numb",
    "/greet{bad json 303-555-0111",
    '/greet{"body_part":"x"} my groin is numb, call 303-555-0111',
    '/no_such_intent{"note":"my groin is numb, call 303-555-0111"}',
    "my groin is numb, text me on 303_555_0111 or jane at example dot com",
]
SECRETS = re.compile(r"groin|numb|555|0111|jane|example dot", re.IGNORECASE)


def test_server_logs_hold_no_typed_text(hardened_bot) -> None:
    """Through the channels (which also strip a stray "/") and through Rasa's HTTP API, which
    hands text straight to Rasa's parser: Rasa's own parse failures are logged without it."""
    sender = f"logs-{uuid.uuid4().hex[:8]}"
    for probe in PROBES:
        reply = httpx.post(
            f"{hardened_bot.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": probe},
            headers={"Authorization": f"Bearer {REST_TOKEN}"},
            timeout=60,
        )
        assert reply.status_code == 200
        parsed = httpx.post(
            f"{hardened_bot.rasa_url}/model/parse",
            params={"token": RASA_API_TOKEN},
            json={"text": probe},
            timeout=60,
        )
        assert parsed.status_code == 200
    logs = "\n".join(path.read_text() for path in sorted(hardened_bot.log_dir.glob("*.log")))
    assert "message.parsing.failed" in logs  # the event is still logged, without the text
    leaked = sorted({match.group(0).lower() for match in SECRETS.finditer(logs)})
    assert not leaked, f"typed text in the server logs: {leaked}"


SCRUB_SCRIPT = """
import logging, warnings, structlog
from bot import logging_filter
logging_filter.install()
logging.basicConfig(level=logging.INFO)
logger = logging.getLogger("probe")
logger.warning("Received user message '%s' from %s", "my groin is numb", "303 555 0111")
try:
    raise ValueError("could not parse 'my groin is numb'")
except ValueError:
    logger.exception("failed")
warnings.simplefilter("always")
logging_filter.install()  # idempotent
warnings.warn(
    "Failed to parse arguments in line '/greet{my groin 303-555-0111'. Continuing without numb"
)
structlog.configure(processors=[structlog.processors.JSONRenderer()])
structlog.get_logger().warning("message.parsing.failed", user_text="my groin is numb")
"""


def test_records_warnings_and_structlog_events_are_scrubbed() -> None:
    """In a process of its own, as in the servers (the hooks are process-wide)."""
    result = subprocess.run(
        [sys.executable, "-c", SCRUB_SCRIPT],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    output = result.stdout + result.stderr
    assert "Received user message" in output and "Failed to parse arguments in line" in output
    assert "message.parsing.failed" in output and "ValueError" in output
    # A number logged on purpose (not typed text) keeps its masked form, as SMS logs do.
    assert "+1 ***-***-0111" in output
    assert not SECRETS.search(output.replace("+1 ***-***-0111", "")), output
