"""Secrets generated once into the data directory (owner-only), for settings left unset.

Used for ``ACTION_SERVER_TOKEN`` (the shared secret between Rasa and the action server) the way
``bot.staff.config`` keeps ``STAFF_SECRET_KEY``: a random value, created on first use, never in the
repository. Several processes start at once (``make run``) and must agree on one value, so the
file appears atomically, already complete: written under a temporary name, then hard-linked to
its final name (which fails if another process got there first; that one's value is used).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

ACTION_SERVER_TOKEN_FILE = "action_server_token"


def secret_in_data_dir(data_dir: Path, file_name: str) -> str:
    """The secret kept in ``data_dir/file_name``, generated (mode 0600) if it does not exist."""
    path = data_dir / file_name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = data_dir / f".{file_name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):  # another process was first: use its value
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_text().strip()


def action_server_token() -> str:
    """The secret Rasa sends to the action server: ``ACTION_SERVER_TOKEN``, else generated."""
    from bot.settings import get_settings, setting

    configured = setting.text("ACTION_SERVER_TOKEN")
    return configured or secret_in_data_dir(get_settings().data_dir, ACTION_SERVER_TOKEN_FILE)
