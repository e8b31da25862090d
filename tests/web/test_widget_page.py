"""The widget in headless Chromium against the scripted bot (``echo_site``): what a patient sees.

The scripted bot (``echo_server.py``) answers ``/greet`` with the notice, ``/answer`` with an
answer, its "Sources:" text and structured sources, ``/buttons`` with two buttons, and echoes
anything else, so these tests need no trained model.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

DOI_URL = "https://doi.org/10.12659/MSM.925080"


def open_chat(page, site):
    page.goto(site.web_url + "/")
    page.get_by_role("button", name="Chat with us").click()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("not a diagnosis")  # the notice opens the conversation
    return log


def send(page, text):
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def test_demo_page_is_the_clinic_with_its_phone_and_all_files_local(page, echo_site):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(echo_site.web_url + "/")
    expect(page).to_have_title(re.compile("Mend Physical Therapy"))
    expect(page.locator("main")).to_contain_text("Boulder")
    expect(page.locator("main")).to_contain_text("Lafayette")
    expect(page.locator("main")).to_contain_text("(303) 555-0100")
    open_chat(page, echo_site)
    assert hosts <= {urlsplit(echo_site.web_url).netloc, urlsplit(echo_site.rasa_url).netloc}


def test_toggle_announces_state_and_closes_with_escape(page, echo_site):
    page.goto(echo_site.web_url + "/")
    toggle = page.get_by_role("button", name="Chat with us")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("log")).to_be_hidden()
    toggle.click()
    close_toggle = page.get_by_role("button", name="Close chat").last
    expect(close_toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Your message")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("log")).to_be_hidden()
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()


def test_answer_shows_sources_as_links_once(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "/answer")
    study = log.get_by_role("link", name=re.compile("Example study of hips"))
    expect(study).to_have_attribute("href", DOI_URL)
    expect(study).to_have_attribute("target", "_blank")
    expect(log.get_by_role("link", name=re.compile("PubMed"))).to_have_attribute(
        "href", "https://pubmed.ncbi.nlm.nih.gov/1/"
    )
    expect(log).to_contain_text("Your hips and lower back")
    # The plain-text copy of the citations is for SMS; the widget shows the links instead.
    expect(log).not_to_contain_text("Sources: Example study")
    # A source with a javascript: URL is shown as text, never as a link.
    expect(log).to_contain_text("Bad link")
    assert log.locator("a[href^='javascript']").count() == 0


def test_markup_typed_or_echoed_is_shown_as_text(page, echo_site):
    log = open_chat(page, echo_site)
    attack = "<img src=x onerror=alert(1)>"
    send(page, attack)
    expect(log.locator(".mend-chat__msg--user").last).to_have_text("You: " + attack)
    expect(log).to_contain_text("You said: " + attack)
    assert log.locator("img").count() == 0
    assert page.dialogs == []


def test_buttons_work_with_the_keyboard_alone(page, echo_site):
    page.goto(echo_site.web_url + "/")
    page.keyboard.press("Tab")  # the first focusable thing on the page is the chat toggle
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()
    page.keyboard.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("not a diagnosis")
    page.keyboard.type("/buttons")
    page.keyboard.press("Enter")
    expect(log.get_by_role("button", name="Lafayette")).to_be_enabled()
    # Back from the input: past "Talk to a person" to the newest buttons.
    for _ in range(6):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == "Lafayette":
            break
    expect(log.get_by_role("button", name="Lafayette")).to_be_focused()
    page.keyboard.press("Enter")
    expect(log.locator(".mend-chat__msg--user").last).to_have_text("You: Lafayette")
    expect(log).to_contain_text("You said: /choose_lafayette")
    # Answered buttons are retired so an old question cannot be answered twice.
    expect(log.get_by_role("button", name="Lafayette")).to_be_disabled()


def test_talk_to_a_person_is_always_there(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "hello")
    human = page.get_by_role("button", name="Talk to a person")
    expect(human).to_be_visible()
    human.click()
    expect(log.locator(".mend-chat__msg--user").last).to_have_text("You: Talk to a person")
    expect(log).to_contain_text("You said: /talk_to_human")


def test_reload_shows_history_and_continues_the_same_conversation(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "first message")
    expect(log).to_contain_text("You said: first message")
    first_id = re.search(r"Conversation: (\w+)", log.inner_text()).group(1)
    page.reload()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_be_visible()  # the panel stays open across the reload
    expect(log).to_contain_text("You said: first message")
    send(page, "after reload")
    expect(log).to_contain_text("You said: after reload")
    assert re.findall(r"Conversation: (\w+)", log.inner_text())[-1] == first_id
    # Exactly one greeting once the page settles (on a loaded machine the reconnect can still be
    # under way when the first greeting shows).
    page.wait_for_function(
        "() => (document.querySelector('[role=log]').innerText"
        ".match(/not a diagnosis/g) || []).length === 1"
    )  # no second greeting


def test_new_chat_starts_a_fresh_conversation(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "old")
    expect(log).to_contain_text("You said: old")
    page.get_by_role("button", name="New chat").click()
    expect(log).not_to_contain_text("You said: old")
    expect(log).to_contain_text("not a diagnosis")


def test_page_from_another_origin_cannot_connect(page, echo_site):
    # The same page, but from http://localhost:PORT: a different origin from the one in
    # WEB_ALLOWED_ORIGINS (http://127.0.0.1:PORT), so the Rasa server refuses the socket.
    other_origin = echo_site.web_url.replace("127.0.0.1", "localhost")
    page.goto(other_origin + "/")
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_role("status")).to_contain_text("Can't reach the assistant")
    expect(page.get_by_role("status")).to_contain_text("(303) 555-0100")
    expect(page.get_by_role("log")).not_to_contain_text("not a diagnosis")


def test_fits_a_375_pixel_phone_without_sideways_scrolling(browser, echo_site):
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True)
    try:
        page = context.new_page()
        log = open_chat(page, echo_site)
        send(page, "a-very-long-word-" * 20 + " https://example.org/" + "x" * 120)
        expect(log).to_contain_text("You said:")
        send(page, "/answer")
        expect(log.get_by_role("link", name=re.compile("Example study"))).to_be_visible()
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1] == 375
        box = page.locator(".mend-chat__panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.get_by_label("Your message").is_visible()
        assert page.get_by_role("button", name="Send").is_visible()
    finally:
        context.close()


def test_a_page_holding_only_someone_elses_conversation_id_gets_a_new_conversation(
    browser, page, echo_site
):
    log = open_chat(page, echo_site)
    send(page, "my private message")
    expect(log).to_contain_text("You said: my private message")
    victim_id = re.search(r"Conversation: (\w+)", log.inner_text()).group(1)

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        attacker = other.new_page()
        attacker.goto(echo_site.web_url + "/")
        # The id alone, or with a made-up token, as a copied sessionStorage might hold.
        attacker.evaluate(
            """id => {
                sessionStorage.setItem('mendChat.sessionId', JSON.stringify(id));
                sessionStorage.setItem('mendChat.token', JSON.stringify(id + '.forged'));
            }""",
            victim_id,
        )
        attacker_log = open_chat(attacker, echo_site)
        send(attacker, "hello")
        expect(attacker_log).to_contain_text("You said: hello")
        text = attacker_log.inner_text()
        assert victim_id not in text and "my private message" not in text
    finally:
        other.close()


def test_when_the_conversation_cannot_be_rejoined_the_old_transcript_goes(page, echo_site):
    log = open_chat(page, echo_site)
    send(page, "before")
    expect(log).to_contain_text("You said: before")
    page.evaluate("sessionStorage.setItem('mendChat.token', JSON.stringify('expired.or.forged'))")
    page.reload()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("not a diagnosis")  # the new conversation's greeting
    expect(log).not_to_contain_text("before")
    # Exactly one greeting once the page settles (on a loaded machine the reconnect can still be
    # under way when the first greeting shows).
    page.wait_for_function(
        "() => (document.querySelector('[role=log]').innerText"
        ".match(/not a diagnosis/g) || []).length === 1"
    )
