"""The ``bot`` command line: serve the processes, migrate the database, and staff tasks.

``python -m bot serve rasa|actions|web`` starts one process with the settings applied (the
Procfile runs all three); ``python -m bot db upgrade`` applies migrations. Feature modules add
their own sub-commands through :data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable

from bot.settings import PROJECT_ROOT, get_settings, setting

# Modules with a ``register(subparsers)`` function that adds their sub-commands.
COMMAND_MODULES: list[str] = ["bot.booking.notify.worker", "bot.staff.cli", "bot.sms.cli"]

QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    # Rasa's dependencies print pages of deprecation warnings that bury the server's own log.
    "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::PendingDeprecationWarning",
}


def _apply_process_env(server: str = "rasa") -> dict[str, str]:
    """Environment for the servers: telemetry off always, and the settings' defaults.

    The action server listens on loopback unless ACTION_HOST says otherwise: only Rasa calls it,
    and anyone who could reach it could run actions (store bookings) directly.
    """
    settings = get_settings()
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env.setdefault("ACTION_SERVER_URL", settings.action_server_url)
    if server == "rasa":
        # Patients' messages are small; Sanic's default would accept 100 MB bodies.
        env.setdefault("SANIC_REQUEST_MAX_SIZE", str(256 * 1024))
    # Issue 12 (bot/action_calls.py): a burst must not drop connections. Rasa reads its listen
    # backlog from SANIC_BACKLOG; the action server's keep-alive also bounds how long a fresh
    # connection may wait for Rasa's request while Rasa's event loop is busy (Sanic's 5 s lost
    # action calls under a 200-message burst).
    env.setdefault("SANIC_BACKLOG", "1024")
    if server == "actions":
        env.setdefault("SANIC_KEEP_ALIVE_TIMEOUT", "120")
        env["SANIC_HOST"] = setting.text("ACTION_HOST", "127.0.0.1")
    if server in ("rasa", "actions"):
        # The shared secret Rasa sends (endpoints.yml) and the action server requires; both
        # processes resolve the same value (the setting, else the one generated in the data dir).
        from bot.local_secret import action_server_token

        env["ACTION_SERVER_TOKEN"] = action_server_token()
    return env


def _launch(program: str, *args: str) -> list[str]:
    """``python -m bot.launch``: the program with log scrubbing (and request deadlines) in."""
    return [sys.executable, "-m", "bot.launch", program, *args]


def rasa_command() -> list[str]:
    """``rasa run`` with the project's files; the HTTP API only with a token."""
    settings = get_settings()
    command = _launch(
        "rasa",
        "run",
        "--interface",
        setting.text("RASA_HOST", "0.0.0.0"),
        "--port",
        str(settings.rasa_port),
        "--model",
        str(settings.model_dir),
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints",
        str(PROJECT_ROOT / "endpoints.yml"),
    )
    if settings.rasa_api_token:
        command += ["--enable-api", "--auth-token", settings.rasa_api_token]
    return command


def actions_command() -> list[str]:
    """Rasa SDK's action server, refusing calls without the shared secret (actions_server.py)."""
    settings = get_settings()
    return _launch("actions", "--actions", "actions", "--port", str(settings.action_port))


def web_command() -> list[str]:
    settings = get_settings()
    return _launch(
        "uvicorn",
        "bot.web.app:create_app",
        "--factory",
        "--host",
        setting.text("WEB_HOST", "127.0.0.1"),
        "--port",
        str(settings.web_port),
        "--no-access-log",
        "--ws",
        "none",
    )


SERVERS: dict[str, Callable[[], list[str]]] = {
    "rasa": rasa_command,
    "actions": actions_command,
    "web": web_command,
}


def serve(name: str) -> None:
    """Replace this process with the named server, so signals reach it directly."""
    command = SERVERS[name]()
    os.chdir(PROJECT_ROOT)
    os.execvpe(command[0], command, _apply_process_env(name))


def db_upgrade() -> None:
    from bot.db.migrate import upgrade

    upgrade()
    print("database is up to date")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Mend Assistant")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="start one server")
    serve_parser.add_argument("server", choices=sorted(SERVERS))
    serve_parser.set_defaults(func=lambda args: serve(args.server))

    db_parser = commands.add_parser("db", help="database tasks")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(
        func=lambda args: db_upgrade()
    )

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    # Every ``bot`` command (the notifier included) logs nothing a patient typed.
    from bot import logging_filter

    logging_filter.install()
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
