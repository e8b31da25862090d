"""A real browser (headless Chromium) signs in, filters to emergencies, opens the transcript and
marks it reviewed, against the web app served by uvicorn on a free port."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.db import get_engine
from bot.settings import PROJECT_ROOT
from bot.staff.queries import reviews
from tests.support.browser import launch_chromium, require_chromium

from .conftest import PASSWORD, STAFF, conversation_id


def test_staff_member_triages_an_emergency_in_a_browser(server_url):
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with get_engine().begin() as conn:  # start from "not reviewed"
        conn.execute(reviews.delete().where(reviews.c.sender_id == "web-emergency"))
    cid = conversation_id("web-emergency")

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            page.goto(f"{server_url}/staff/")
            assert "/staff/login" in page.url
            page.fill("input[name=email]", STAFF)
            page.fill("input[name=password]", PASSWORD)
            page.click("button:has-text('Sign in')")
            page.wait_for_selector("h1:has-text('Booking and callback requests')")
            page.click("header nav a:has-text('Conversations')")
            page.wait_for_selector("h1:has-text('Conversations')")

            page.check("input[name=flag][value=emergency]")
            page.click("button:has-text('Apply')")
            page.wait_for_url("**flag=emergency**")
            assert page.locator("tbody tr").count() == 1
            page.click(f"a[href='/staff/conversations/{cid}']")
            page.wait_for_selector("text=I have numbness in my groin")
            assert page.locator("text=Please call 911").count() == 1

            page.check("input[name=reviewed]")
            page.click("button:has-text('Save review')")
            page.wait_for_selector("text=Saved.")
            assert page.is_checked("input[name=reviewed]")
            out = PROJECT_ROOT / "test-output"
            out.mkdir(exist_ok=True)
            page.screenshot(path=str(out / "staff_review_transcript.png"), full_page=True)

            page.goto(f"{server_url}/staff/conversations?flag=emergency&reviewed=yes")
            assert page.locator("tbody tr").count() == 1
            assert page.locator(f"tbody a[href='/staff/conversations/{cid}']").count() >= 1
        finally:
            browser.close()
    with get_engine().connect() as conn:
        row = conn.execute(sa.select(reviews).where(reviews.c.sender_id == "web-emergency")).first()
    assert row.reviewed and row.reviewed_by == STAFF
