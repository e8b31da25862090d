"""Fixtures for the chat widget: servers on free ports and headless Chromium driven by Playwright.

Two sites are available:

* ``echo_site``: the web app plus ``echo_server.py`` (the real socket.io channel with a scripted
  bot, no model). Fast; used for rendering, keyboard, storage, origin and layout tests.
* ``live_site``: the web app plus the real Rasa and action servers (``tests/support/live_bot.py``
  with the trained model in ``models/``). Used for the answer, history and booking journeys.

Everything that needs Chromium or the trained model is skipped with a reason when it is missing,
except with ``CI=true``, where a missing piece is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.browser import launch_chromium, require_chromium
from tests.support.live_bot import free_port, start_live_bot, wait_for
from tests.support.services import missing

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = PROJECT_ROOT / "test-output"
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


class Server:
    """A child process with its output in a log file; stopped at the end of the session."""

    def __init__(self, command: list[str], env: dict[str, str], health_url: str, log: Path):
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **QUIET_ENV, **env},
            cwd=PROJECT_ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(health_url, self.process, timeout=60)
        except Exception as error:
            self.stop()
            raise RuntimeError(f"{error}:\n{log.read_text()[-3000:]}") from error

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


@dataclass(frozen=True)
class Site:
    web_url: str
    rasa_url: str

    @property
    def origin(self) -> str:
        return self.web_url


def start_web_app(port: int, rasa_url: str, tmp: Path) -> Server:
    env = {
        "RASA_PUBLIC_URL": rasa_url,
        "WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "MEND_DATA_DIR": str(tmp),
    }
    # The same entry point `make run` uses, so the test covers how the app is really started.
    env.update({"WEB_PORT": str(port), "WEB_HOST": "127.0.0.1"})
    command = [sys.executable, "-m", "bot", "serve", "web"]
    return Server(command, env, f"http://127.0.0.1:{port}/health", tmp / "web.log")


@pytest.fixture(scope="session")
def echo_site(tmp_path_factory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("echo_site")
    web_port, rasa_port = free_port(), free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    env = {"WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{web_port}", "MEND_DATA_DIR": str(tmp)}
    bot = Server(
        [sys.executable, str(Path(__file__).with_name("echo_server.py")), str(rasa_port)],
        env,
        f"{rasa_url}/webhooks/socketio/",
        tmp / "echo.log",
    )
    try:
        web = start_web_app(web_port, rasa_url, tmp)
    except Exception:
        bot.stop()
        raise
    yield Site(web_url=f"http://127.0.0.1:{web_port}", rasa_url=rasa_url)
    web.stop()
    bot.stop()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> Iterator[Site]:
    """The real bot behind the widget; needs tests/support/live_bot.py and a trained model."""
    models = PROJECT_ROOT / "models"
    if not any(models.glob("*.tar.gz")):
        missing("no trained model in models/ (run `make train` or `make test`)")
    tmp = tmp_path_factory.mktemp("live_site")
    web_port = free_port()
    bot = start_live_bot(tmp, {"WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{web_port}"})
    try:
        web = start_web_app(web_port, bot.rasa_url, tmp)
    except Exception:
        bot.stop()
        raise
    yield Site(web_url=f"http://127.0.0.1:{web_port}", rasa_url=bot.rasa_url)
    web.stop()
    bot.stop()


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser profile per test (own storage), desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR
