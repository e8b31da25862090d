"""Issue 16 in headless Chromium against the scripted bot (``echo_site``): answers read from their
start, focus that stays in the chat, urgent advice as an alert with call links, full screen on
phones, and message times.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.web.test_widget_page import open_chat, send

CLINIC_TZ = ZoneInfo("America/Denver")


def top_in_view(page, locator) -> bool:
    """Whether the element's top edge is inside the visible part of the log and the viewport."""
    return locator.evaluate(
        """node => {
            const log = node.closest('.mend-chat__log').getBoundingClientRect();
            const box = node.getBoundingClientRect();
            return box.top >= log.top - 1 && box.top < log.bottom - 20
                && box.top >= 0 && box.top < window.innerHeight;
        }"""
    )


# ---- 1. scrolling ----


def test_first_bubble_of_a_three_part_answer_is_in_view_when_it_arrives(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/long")
    third = log.locator(".mend-chat__msg--bot", has_text="Part three")
    expect(third.get_by_role("button", name="Request an appointment")).to_be_attached()
    first = log.locator(".mend-chat__msg--bot", has_text="Part one")
    assert top_in_view(page, first)
    # The answer is taller than the log, so showing the last bubble's end would hide the start.
    assert log.evaluate("node => node.scrollHeight - node.scrollTop - node.clientHeight") > 50


def test_new_messages_hint_when_scrolled_up_instead_of_jumping(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/long")
    expect(log).to_contain_text("Part three")
    send(page, "/later")
    expect(log).to_contain_text("First reply, now.")
    log.hover()
    page.mouse.wheel(0, -5000)  # the patient scrolls back up to reread the long answer
    page.wait_for_function("document.querySelector('.mend-chat__log').scrollTop === 0")
    expect(log).to_contain_text("Second reply, a little later.")
    hint = page.get_by_role("button", name=re.compile("New messages"))
    expect(hint).to_be_visible()
    assert log.evaluate("node => node.scrollTop") == 0  # not pulled away from what they read
    hint.click()
    expect(hint).to_be_hidden()
    assert top_in_view(page, log.locator(".mend-chat__msg--bot", has_text="Second reply"))
    expect(page.get_by_label("Your message")).to_be_focused()


# ---- 2. focus and Escape ----


def test_focus_returns_to_the_input_after_choosing_a_reply_with_enter(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/buttons")
    choice = log.get_by_role("button", name="Lafayette")
    choice.focus()
    page.keyboard.press("Enter")
    expect(log).to_contain_text("You said: /choose_lafayette")
    assert page.evaluate("document.activeElement.id") == "mend-chat-input"
    # Escape still closes the chat, and focus goes to the launcher.
    page.keyboard.press("Escape")
    expect(log).to_be_hidden()
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()


def test_focus_returns_to_the_input_after_clicking_a_reply(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/buttons")
    log.get_by_role("button", name="Boulder").click()
    expect(log).to_contain_text("You said: /choose_boulder")
    assert page.evaluate("document.activeElement.id") == "mend-chat-input"
    page.get_by_role("button", name="Talk to a person").click()
    expect(log).to_contain_text("You said: /talk_to_human")
    assert page.evaluate("document.activeElement.id") == "mend-chat-input"


def test_escape_closes_from_anywhere_inside_the_panel(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/answer")
    expect(log.get_by_role("link", name=re.compile("Example study"))).to_be_visible()
    places = [
        lambda: page.locator(".mend-chat__title").click(),  # the heading: plain text
        lambda: log.locator(".mend-chat__text").first.click(),  # a bubble's text
        lambda: log.get_by_role("link", name=re.compile("Example study")).focus(),
        lambda: page.get_by_role("button", name="New chat").focus(),
    ]
    for place in places:
        if not log.is_visible():
            page.get_by_role("button", name="Chat with us").click()
            expect(log).to_be_visible()
        place()
        page.keyboard.press("Escape")
        expect(log).to_be_hidden()
        expect(page.get_by_role("button", name="Chat with us")).to_be_focused()


# ---- 3. urgent advice and phone numbers ----


def test_urgent_reply_is_one_alert_with_call_links(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/urgent")
    alert = log.get_by_role("alert")
    expect(alert).to_contain_text("Call 911 now")
    expect(alert).to_contain_text(re.compile("urgent", re.IGNORECASE))
    # Shown once: the plain-text copy for SMS is replaced by the alert.
    assert log.inner_text().count("Losing control of your bladder") == 1
    expect(alert.locator("a[href='tel:911']").first).to_be_visible()
    expect(alert.locator("a[href='tel:+13035550100']").first).to_be_visible()
    expect(alert.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    # Told apart by more than colour: a warning mark and a heavier border than other bubbles.
    borders = alert.evaluate(
        """node => {
            const other = document.querySelector('.mend-chat__msg--bot:not([role=alert])');
            return [parseFloat(getComputedStyle(node).borderLeftWidth),
                    parseFloat(getComputedStyle(other).borderLeftWidth)];
        }"""
    )
    assert borders[0] >= 4 * borders[1]
    expect(alert.locator(".mend-chat__urgent-icon")).to_be_visible()
    # It survives a reload as an alert.
    page.reload()
    expect(page.get_by_role("log").get_by_role("alert")).to_contain_text("Call 911 now")


def test_doctor_today_tier_puts_the_clinic_call_first(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/urgent2")
    alert = log.get_by_role("alert")
    expect(alert).to_contain_text("see a doctor today", ignore_case=True)
    calls = alert.locator(".mend-chat__call")
    expect(calls.first).to_have_attribute("href", "tel:+13035550100")
    expect(calls.nth(1)).to_have_attribute("href", "tel:911")


def test_urgent_payload_without_a_tier_shows_the_text_as_before(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/urgent_old")
    expect(log).to_contain_text("Losing control of your bladder")
    send(page, "after")
    expect(log).to_contain_text("You said: after")
    assert log.get_by_role("alert").count() == 0
    assert log.inner_text().count("Losing control of your bladder") == 1
    expect(log.locator("a[href='tel:911']").first).to_be_visible()


def test_phone_numbers_in_answers_are_tap_to_call(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/phone")
    bubble = log.locator(".mend-chat__msg--bot", has_text="Call us at")
    expect(bubble.get_by_role("link", name="(303) 555-0100")).to_have_attribute(
        "href", "tel:+13035550100"
    )
    expect(bubble.get_by_role("link", name="303-555-0111")).to_have_attribute(
        "href", "tel:+13035550111"
    )
    # Dates and longer numbers are not phone numbers.
    assert bubble.locator("a").count() == 2
    # The notice's "call 911" is a link too.
    expect(log.locator(".mend-chat__msg--bot").first.locator("a[href='tel:911']")).to_be_visible()


# ---- 4. phones: full screen ----


def phone_page(browser, width, height):
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_on_a_375_pixel_phone_the_chat_is_the_whole_screen(browser, echo_site):
    for width, height in [(375, 740), (320, 568)]:
        context, page = phone_page(browser, width, height)
        try:
            log = open_chat(page, echo_site)
            send(page, "/long")
            expect(log).to_contain_text("Part three")
            box = page.locator(".mend-chat__panel").bounding_box()
            assert (box["x"], box["y"]) == (0, 0)
            assert (round(box["width"]), round(box["height"])) == (width, height)
            assert page.get_by_label("Your message").is_visible()
            # The page behind does not scroll (it is taller than the screen).
            assert page.evaluate("document.documentElement.scrollHeight") > height
            page.mouse.move(width / 2, 20)
            page.mouse.wheel(0, 600)
            page.wait_for_timeout(300)
            assert page.evaluate("window.scrollY") == 0
            # Closing gives the page back.
            page.get_by_role("button", name="Close chat").first.click()
            expect(log).to_be_hidden()
            assert page.evaluate("getComputedStyle(document.documentElement).overflow") != "hidden"
        finally:
            context.close()


def test_input_stays_above_the_on_screen_keyboard(browser, echo_site):
    context, page = phone_page(browser, 375, 740)
    try:
        open_chat(page, echo_site)
        page.get_by_label("Your message").focus()
        # A 320 px keyboard: the visual viewport shrinks (Chromium headless has no keyboard).
        page.evaluate(
            """() => {
                Object.defineProperty(window.visualViewport, 'height', {get: () => 420});
                window.visualViewport.dispatchEvent(new Event('resize'));
            }"""
        )
        form = page.locator(".mend-chat__form").bounding_box()
        assert form["y"] + form["height"] <= 420
        assert page.locator(".mend-chat__panel").bounding_box()["y"] == 0
    finally:
        context.close()


def test_desktop_panel_stays_a_panel(page, echo_site):
    open_chat(page, echo_site)
    box = page.locator(".mend-chat__panel").bounding_box()
    assert box["width"] < 500 and box["x"] > 600
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") != "hidden"


# ---- 5. times ----


def test_small_clinic_local_times_per_group_of_messages(browser, echo_site):
    # The patient's computer is in Tokyo; the times shown are the clinic's (Colorado).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        log = open_chat(page, echo_site)
        send(page, "/long")
        expect(log).to_contain_text("Part three")
        times = log.locator(".mend-chat__time time")
        # Three groups: the notice, the patient's message, the three-part answer.
        expect(times).to_have_count(3)
        for index in range(3):
            stamp = times.nth(index)
            shown = stamp.inner_text()
            assert re.fullmatch(r"\d{1,2}:\d{2} [AP]M", shown)
            when = datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
            assert shown == when.astimezone(CLINIC_TZ).strftime("%-I:%M %p")
        assert log.locator(".mend-chat__time--user").count() == 1
    finally:
        context.close()
