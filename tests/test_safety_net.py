"""The red-flag safety net: the EntityRuler terms override any intent, on every message."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.channels.input_guard import EMERGENCY_PAYLOAD, guard_text
from bot.nlp.pipeline import build_pipeline
from bot.nlp.red_flag_guard import RedFlagGuard
from bot.safety import red_flag_label
from bot.settings import get_settings


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(get_settings().knowledge_dir)


RED_FLAGS = [
    ("can I book? also I can't control my bladder", "bladder_bowel"),
    ("i lost control of my bowels this morning", "bladder_bowel"),
    ("my groin feels numb since yesterday", "saddle_numbness"),
    ("I have numbness in my saddle area", "saddle_numbness"),
    ("my legs are getting weaker fast", "leg_weakness"),
    ("back pain and a fever of 102", "fever"),
    ("I was in a car accident and now my back hurts", "major_trauma"),
    ("I had cancer 5 years ago and now new back pain", "cancer_history"),
    # Lay words, typos and SMS style found in review:
    ("I pooped my pants", "bladder_bowel"),
    ("incontinance since this morning", "bladder_bowel"),
    ("can't hold it in anymore, wetting the bed", "bladder_bowel"),
    ("cnt feel my crotch", "saddle_numbness"),
    ("no feeling down there", "saddle_numbness"),
    ("my inner thighs and bum are numb", "saddle_numbness"),
    ("i cant lift my foot", "leg_weakness"),
    ("my leg is giving way, call me at 3035550123", "leg_weakness"),
    ("was in a car wreck last week", "major_trauma"),
    ("fell from the roof", "major_trauma"),
    ("hit by a truck", "major_trauma"),
]

NOT_RED_FLAGS = [
    "why do you check my hips when my back hurts",
    "my hips feel tight and my lower back aches",
    "can I book an appointment in Lafayette",
    "what did the study find about hip extension",
    "mon after 5",
    "whenever works",
    "303-555-0188",
]


def guarded(nlp, text: str, intent: str = "book_appointment") -> Message:
    message = Message(data={"text": text})
    message.set("text_spacy_doc", nlp(text))
    message.set("intent", {"name": intent, "confidence": 0.93})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.93}])
    message.set(
        "entities",
        [
            {"entity": e.label_, "value": e.text, "start": e.start_char, "end": e.end_char}
            for e in nlp(text).ents
        ],
    )
    RedFlagGuard().process([message])
    return message


@pytest.mark.parametrize(("text", "flag"), RED_FLAGS)
def test_red_flags_override_whatever_the_classifier_said(nlp, text: str, flag: str) -> None:
    message = guarded(nlp, text)
    assert message.get("intent")["name"] == "emergency_symptoms"
    assert message.get("intent")["confidence"] == 1.0
    # The classifier's guess stays visible for staff review.
    assert "book_appointment" in [entry["name"] for entry in message.get("intent_ranking")]
    values = [e["value"] for e in message.get("entities") if e["entity"] == "red_flag"]
    assert values[0] == flag
    assert red_flag_label(flag)


@pytest.mark.parametrize("text", NOT_RED_FLAGS)
def test_ordinary_questions_are_left_alone(nlp, text: str) -> None:
    assert guarded(nlp, text, "why_check_hips").get("intent")["name"] == "why_check_hips"


def test_a_button_payload_is_not_overridden(nlp) -> None:
    assert guarded(nlp, "/book_appointment").get("intent")["name"] == "book_appointment"


def test_clinic_locations_are_recognised(nlp) -> None:
    ents = [(e.label_, e.ent_id_) for e in nlp("book me in Lafayette please").ents]
    assert ("clinic_location", "lafayette") in ents


def test_too_long_message_with_a_red_flag_still_gets_urgent_advice() -> None:
    long_text = "my back has hurt for weeks. " * 100 + "Also I can't control my bladder."
    assert guard_text(long_text).text == EMERGENCY_PAYLOAD
    assert "too long" in guard_text("word " * 1000).reply
