"""Every patient-facing text reads at school grade 8 or below, and the health answers at about 7.

Patient materials should read at a 6th to 8th grade level (AMA, NIH). The texts are gathered from
the data files the bot reads (tests/content/texts.py), so any new or reworded text is measured too,
including the safety replies. The grade is textstat's Flesch-Kincaid estimate.
"""

from __future__ import annotations

import pytest
import yaml

from tests.content.texts import KNOWLEDGE, PatientText, grade, patient_texts

MAX_GRADE = 8.0
MAX_HEALTH_AVERAGE = 7.0

TEXTS = patient_texts()

# The general warning-signs list (utter_urgent and red_flags.yml replies.general, issue 9) reads at
# 8.3; the safety replies are the lead's to reword. Excused only while the text is exactly this:
# any rewording is measured like every other text, so the excuse ends by itself.
PENDING_REWORDING = {
    (
        "Some back pain needs urgent care. Call 911 now if you have new trouble peeing, new "
        "loss of bladder or bowel control, numbness around your private parts or bottom, "
        "weakness or numbness in both legs, legs that are getting weaker, or back pain after "
        "a bad accident. See a doctor today if you have a fever, a history of cancer, or "
        "weight loss you can't explain."
    ),
    # A contact re-ask (9.5), measured since issue 11 moved it from code to messages.yml; its
    # rewording is the lead's (the move kept every word).
    (
        "Please leave out the extension and send just the 10-digit number (like 303-555-0100); the "
        "clinic will ask for the extension if needed."
    ),
}


@pytest.mark.parametrize("text", TEXTS, ids=lambda text: text.where)
def test_every_patient_text_reads_at_grade_8_or_below(text: PatientText) -> None:
    if text.text in PENDING_REWORDING and text.grade > MAX_GRADE:
        pytest.xfail(f"{text.where}: grade {text.grade}, awaiting its owner's rewording")
    assert text.grade <= MAX_GRADE, (
        f"{text.where} reads at grade {text.grade} (at most {MAX_GRADE}): use shorter sentences "
        f"and everyday words.\n{text.text}"
    )


def test_the_health_answers_read_at_grade_7_on_average() -> None:
    grades = {text.where: text.grade for text in TEXTS if text.health}
    average = sum(grades.values()) / len(grades)
    assert average <= MAX_HEALTH_AVERAGE, f"average grade {average:.1f}: {grades}"


def test_texts_are_gathered_from_every_data_file() -> None:
    files = {text.where.split()[0] for text in TEXTS}
    expected = {"topics.yml", "domain.yml", "sms_keywords.yml", "messages.yml"}
    red_flags = yaml.safe_load((KNOWLEDGE / "red_flags.yml").read_text(encoding="utf-8"))
    if red_flags.get("replies") or red_flags.get("tiers"):
        expected.add("red_flags.yml")
    assert expected <= files
    topics = yaml.safe_load((KNOWLEDGE / "topics.yml").read_text(encoding="utf-8"))["topics"]
    assert len([text for text in TEXTS if text.health]) >= len(topics)


def test_placeholders_are_read_as_a_patient_sees_them() -> None:
    disclaimer = next(
        text for text in TEXTS if text.where.startswith("domain.yml utter_disclaimer")
    )
    assert "{" not in disclaimer.text and "911" in disclaimer.text


def test_the_old_jargon_fails_the_check() -> None:
    """The measure tells jargon from plain words: the sentence the issue quotes would fail."""
    old = (
        "Hip extension asymmetry correlated strongly with pain and disability; limited hip "
        "extension correlated with compensatory lumbar rotation; the compensating movements did "
        "not correlate with pain or disability."
    )
    assert grade(old) > MAX_GRADE
    assert grade("When one hip moved back less than the other, people had more pain.") <= 8
