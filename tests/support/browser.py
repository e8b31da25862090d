"""Headless Chromium for the Playwright tests (chat widget and staff review).

The tests use the system Chromium rather than Playwright's downloaded browsers, with options
that keep it quiet and working as root in a container. Without it they skip with a reason;
with ``CI=true`` they fail instead (see ``services.missing``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.services import missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip (fail under CI) when the system Chromium is not installed."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")


def launch_chromium(playwright: Any) -> Any:
    """The system Chromium, headless, launched through a started Playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
