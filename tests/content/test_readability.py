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


@pytest.mark.parametrize("text", TEXTS, ids=lambda text: text.where)
def test_every_patient_text_reads_at_grade_8_or_below(text: PatientText) -> None:
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
