"""Starts the real bot (Rasa server + action server) for end-to-end tests.

Each call gets free ports and its own data directory (so its own SQLite database) and runs the
same commands as `make run` (``python -m bot serve rasa|actions``), with the trained model in
``models/``. Callers add settings through ``extra_env``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float | None = None) -> None:
    """Poll ``url`` until it answers 200; fail early if the process died.

    Default timeout: ``MEND_START_TIMEOUT`` seconds (180; benchmarks on a busy machine raise it).
    """
    timeout = timeout or float(os.environ.get("MEND_START_TIMEOUT", "180"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


@dataclass
class LiveBot:
    rasa_url: str
    action_url: str
    database_url: str
    data_dir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    log_dir: Path | None = None

    def send(self, sender: str, message: object, **extra) -> httpx.Response:
        """Post to the REST webhook as a client would."""
        body = {"sender": sender, "message": message, **extra}
        # Encoded as browsers' JSON.stringify does (ASCII escapes), so odd text can be sent too.
        return httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            content=json.dumps(body),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def add_rasa_server(self) -> str:
        """Start one more Rasa server on the same database (scaled out); returns its URL."""
        port = free_port()
        env = {**self.env, "RASA_PORT": str(port)}
        process = _spawn("rasa", env, self.log_dir, suffix=f"-{port}")
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/webhooks/rest/", process)
        return url

    def restart_actions(self) -> None:
        """Start the action server again if it was stopped (a test that takes it down)."""
        actions = self.processes[1]
        if actions.poll() is None:
            return
        self.processes[1] = _spawn("actions", self.env, self.log_dir)
        wait_for(f"http://127.0.0.1:{self.env['ACTION_PORT']}/health", self.processes[1])

    def restart_rasa(self) -> None:
        """Stop and start the Rasa server only (conversations must survive this)."""
        rasa = self.processes[0]
        if rasa.poll() is None:
            rasa.send_signal(signal.SIGINT)
            rasa.wait(timeout=30)
        self.processes[0] = _spawn("rasa", self.env, self.log_dir)
        wait_for(f"{self.rasa_url}/webhooks/rest/", self.processes[0])


def _spawn(
    server: str, env: dict[str, str], log_dir: Path | None, suffix: str = ""
) -> subprocess.Popen:
    """Start ``python -m bot serve <server>``, its output appended to a log file when asked."""
    command = [sys.executable, "-m", "bot", "serve", server]
    if log_dir is None:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
    # The child gets its own copy of the file descriptor, so ours can be closed right away.
    with open(log_dir / f"{server}{suffix}.log", "ab") as log:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def bot_env(data_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    rasa_port, action_port = free_port(), free_port()
    env = dict(os.environ)
    env.update(
        {
            "RASA_PORT": str(rasa_port),
            "ACTION_PORT": str(action_port),
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "MEND_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'mend.db'}",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
    )
    env.update(extra_env or {})
    return env


def start_live_bot(data_dir: Path, extra_env: dict[str, str] | None = None) -> LiveBot:
    """Migrate a fresh database, start both servers and wait until they answer."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = bot_env(data_dir, extra_env)
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log_dir = data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    bot = LiveBot(
        rasa_url=f"http://127.0.0.1:{env['RASA_PORT']}",
        action_url=env["ACTION_SERVER_URL"],
        database_url=env["DATABASE_URL"],
        data_dir=data_dir,
        env=env,
        log_dir=log_dir,
    )
    bot.processes = [_spawn("rasa", env, log_dir), _spawn("actions", env, log_dir)]
    try:
        wait_for(f"http://127.0.0.1:{env['ACTION_PORT']}/health", bot.processes[1])
        wait_for(f"{bot.rasa_url}/webhooks/rest/", bot.processes[0])
    except Exception:
        bot.stop()
        for log in log_dir.glob("*.log"):
            sys.stderr.write(f"--- {log.name} ---\n{log.read_text()[-4000:]}\n")
        raise
    return bot
