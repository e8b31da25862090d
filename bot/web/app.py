"""The web app (Starlette): each feature contributes its routes from its own module."""

from __future__ import annotations

import importlib

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.clinic_check import warn_example_settings

# Modules with a ``routes() -> list[BaseRoute]`` function, mounted in this order.
ROUTE_MODULES: list[str] = ["bot.web.widget", "bot.staff.routes"]


async def health(request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app() -> Starlette:
    warn_example_settings()  # `make run` shows the clinic what to fill in before going live
    routes: list[BaseRoute] = [Route("/health", health)]
    for module_name in ROUTE_MODULES:
        routes += importlib.import_module(module_name).routes()
    return Starlette(routes=routes)
