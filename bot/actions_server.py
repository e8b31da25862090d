"""The action server: Rasa SDK's app, answering only callers that hold the shared secret.

Actions store bookings and handoffs, so anyone who could POST to ``/webhook`` could forge them;
listening on loopback only is one wrong ``ACTION_HOST`` away from exposing that (issue 15). Rasa
sends the secret with every action call (``endpoints.yml``: ``Authorization: Bearer
${ACTION_SERVER_TOKEN}``), and this server refuses any request without it, except ``/health``
(which says nothing and is what process managers and tests poll).

The secret is ``ACTION_SERVER_TOKEN``, else one generated into the data directory (mode 0600) on
first use, which ``bot serve`` passes to both the Rasa server and this one.
Run with ``python -m bot serve actions`` (it starts :func:`main` through ``bot.launch``).
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.local_secret import action_server_token
from bot.settings import get_settings, setting

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})


def _has_token(request: Request, token: str) -> bool:
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def require_token(app: Sanic, token: str) -> None:
    """Refuse every request but ``/health`` that lacks ``Authorization: Bearer <token>``."""

    @app.middleware("request")
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or _has_token(request, token):
            return None
        logger.warning(
            "Action server refused a %s %s without the token", request.method, request.path
        )
        return response.json({"error": "unauthorized"}, status=401)


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    """Rasa SDK's app for ``actions_package``, without CORS (only Rasa calls it), token required."""
    app = create_sdk_app(actions_package, cors_origins=None)
    require_token(app, token)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mend Assistant action server")
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--port", type=int, default=get_settings().action_port)
    args = parser.parse_args(argv)
    utils.configure_colored_logging(setting.text("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    app = create_app(action_server_token(), args.actions)
    host = setting.text("SANIC_HOST", "127.0.0.1")
    logger.info("Action server listening on http://%s:%s (token required)", host, args.port)
    app.run(host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
