"""The pure formatting rules behind SMS replies."""

from __future__ import annotations

from bot.sms.formatting import (
    citation_lines,
    numbered_prompt,
    picked_option,
    plain_text,
    split_message,
)
from bot.sms.keywords import HELP, OPT_IN, OPT_OUT, keyword_of


def test_markdown_is_removed_but_links_keep_their_address():
    text = "**Stiff hips** can _matter_. See [the study](https://doi.org/10.1/x) or `call`."

    assert plain_text(text) == (
        "Stiff hips can matter. See the study (https://doi.org/10.1/x) or call."
    )


def test_masked_numbers_and_lone_asterisks_survive():
    text = "Can we reach you at (+1 ***-***-0142)? Rated 5 * 2 = 10 ** 3 ***"

    assert plain_text(text) == text
    assert plain_text("**Call** us, *now*, __please__") == "Call us, now, please"


def test_underscores_inside_words_and_urls_survive():
    text = "Visit https://example.org/low_back_pain and my_file"

    assert plain_text(text) == text


def test_one_source_line_per_source_preferring_the_doi():
    payload = {
        "sources": [
            {
                "short": "Kim & Shin, Med Sci Monit 2020",
                "url": "https://x.example",
                "doi_url": "https://doi.org/10.12659/MSM.925080",
            },
            {"short": "Clinic handout"},
        ]
    }

    assert citation_lines(payload) == [
        "Source: Kim & Shin, Med Sci Monit 2020 — https://doi.org/10.12659/MSM.925080",
        "Source: Clinic handout",
    ]
    assert citation_lines({"something": "else"}) == []


def test_numbered_prompt_wording():
    options = [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
        {"title": "Maybe", "payload": "/maybe"},
    ]

    assert numbered_prompt(options) == "Reply 1 for Yes, 2 for No or 3 for Maybe."
    assert numbered_prompt(options[:1]) == "Reply 1 for Yes."
    assert numbered_prompt(
        [
            {"title": "Why check my hips?", "payload": "/why_check_hips"},
            {"title": "Request an appointment", "payload": "/book"},
        ]
    ) == ("Reply with a number:\n1) Why check my hips?\n2) Request an appointment")
    assert picked_option(" 3. ", options)["payload"] == "/maybe"
    assert picked_option("0", options) is None
    assert picked_option("no", options)["payload"] == "/deny"


def test_a_sentence_longer_than_a_message_is_split_between_words():
    words = "word " * 500
    text = f"Short start. {words.strip()}. Short end."

    parts = split_message(text, limit=300)

    assert all(len(part) <= 300 for part in parts)
    assert parts[0] == "Short start."
    assert " ".join(parts).split() == text.split()


def test_splits_prefer_sentence_ends_and_line_breaks():
    text = "First sentence here! Second one? Third.\nA new line"

    assert split_message(text, limit=25) == [
        "First sentence here!",
        "Second one? Third.",
        "A new line",
    ]
    assert split_message("short", limit=25) == ["short"]
    assert split_message("   ") == []


def test_keywords_must_be_the_whole_message():
    assert keyword_of(" Stop ") == OPT_OUT
    assert keyword_of("start") == OPT_IN
    assert keyword_of("HELP") == HELP
    assert keyword_of("stop it") is None
    assert keyword_of("please help") is None
    assert keyword_of(None) is None
