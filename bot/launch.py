"""``python -m bot.launch <program> [args...]``: start a server program with the privacy hooks in.

``bot serve`` replaces itself (``os.execvpe``) with this module, which installs the log scrubbing
(:mod:`bot.logging_filter`) and, for the Sanic servers, the request deadline
(:mod:`bot.request_deadline`), then runs the program's own entry point in the same process:
``rasa`` is exactly ``rasa run ...``, ``uvicorn`` exactly ``uvicorn ...``.

Why a launcher rather than the alternatives (issue 15): a ``sitecustomize`` module on PYTHONPATH
runs in every Python process, but only the first ``sitecustomize`` on the path is imported (a
distribution's own one, or a coverage or debugger hook, silently wins or loses), and Python's
``site`` swallows its ImportErrors, so a broken hook would go unnoticed; ``usercustomize`` is not
even read inside a virtual environment. A Rasa-side import (a custom channel module) runs only if
``credentials.yml`` names that channel, and only after Rasa has configured logging and begun
loading the model, so early warnings would pass unscrubbed. The launcher runs first, in the
process that serves, is explicit in the command line, and fails loudly if it cannot install.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bot import logging_filter


def _rasa() -> Callable[[], None]:
    from rasa.__main__ import main

    return main


def _uvicorn() -> Callable[[], None]:
    from uvicorn.main import main

    return main


def _actions() -> Callable[[], None]:
    from bot.actions_server import main

    return main


# program name -> (entry point loader, whether it is a Sanic server)
PROGRAMS: dict[str, tuple[Callable[[], Callable[[], None]], bool]] = {
    "rasa": (_rasa, True),
    "uvicorn": (_uvicorn, False),
    "actions": (_actions, True),
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in PROGRAMS:
        raise SystemExit(f"usage: python -m bot.launch {{{'|'.join(PROGRAMS)}}} [args...]")
    program, rest = args[0], args[1:]
    logging_filter.install()
    loader, is_sanic = PROGRAMS[program]
    if is_sanic:
        from bot import request_deadline

        request_deadline.install()
    if program == "rasa":  # action calls retried on a dropped connection, failures told (issue 12)
        from bot import action_calls, fast_turns

        action_calls.install()
        fast_turns.install()
        from bot.channels import overload

        overload.limiter()  # sized now: a bad MAX_*_MESSAGES stops the server, not each message
    entry = loader()
    sys.argv = [program, *rest]
    entry()


if __name__ == "__main__":
    main()
