"""Issue 10 in the widget: "yes, confirm" typed at the booking summary sends the request.

Before, the typed words went to the classifier, the bot said it did not understand, the summary's
buttons were switched off and nothing was stored. Runs against the real bot (live_site).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.test_widget_live import last_bot, open_chat, send


def test_typing_yes_confirm_at_the_summary_shows_the_reference(page, live_site):
    log = open_chat(page, live_site)
    send(page, "I'd like to book an appointment")
    expect(last_bot(log)).to_contain_text("What name should", timeout=30_000)
    for answer, next_question in [
        ("Jane Tester", "phone number or email"),
        ("303 555 0142", "Which clinic"),
        ("Boulder", "days and times"),
        ("weekday mornings", "help with"),
    ]:
        send(page, answer)
        expect(last_bot(log)).to_contain_text(next_question, timeout=30_000)
    send(page, "sore lower back")
    summary = last_bot(log)
    expect(summary).to_contain_text("Shall I send it", timeout=30_000)
    expect(summary).to_contain_text("(303) 555-0142")  # the national format, not +1303...
    send(page, "yes, confirm")
    expect(log.locator(".mend-chat__msg--user").last).to_have_text("You: yes, confirm")
    expect(last_bot(log)).to_contain_text(
        re.compile(r"Your reference is MEND-\w{5}"), timeout=30_000
    )
    expect(log).not_to_contain_text("not sure I understood")
