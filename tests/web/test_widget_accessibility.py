"""axe-core (npm, ``node_modules/axe-core``) on the demo page with the chat open, showing an
answer with its sources, an urgent reply and a booking summary, on a desktop and a phone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.services import missing
from tests.web.test_widget_page import open_chat, send

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    if not AXE.is_file():
        missing("axe-core is not installed (npm ci)")
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') allows it.
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document).then(r => JSON.stringify(r.violations))")
    return json.loads(result)


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("viewport", [(1280, 900), (375, 740)], ids=["desktop", "phone"])
def test_no_axe_violations_with_answer_urgent_reply_and_booking_summary(
    browser, echo_site, viewport
):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        log = open_chat(page, echo_site)
        send(page, "/answer")
        expect(log.get_by_role("link", name=re.compile("Example study"))).to_be_visible()
        send(page, "/urgent")
        expect(log.get_by_role("alert")).to_be_visible()
        send(page, "/summary")
        expect(log.get_by_role("button", name="Confirm and send")).to_be_enabled()
        send(page, "/long")  # enough to scroll, so the "new messages" hint can show
        expect(log).to_contain_text("Part three")
        log.evaluate("node => { node.scrollTop = 0; }")
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        context.close()
