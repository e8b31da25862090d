"""The red-flag detector, layer by layer: spelling, matching, measures, context."""

from __future__ import annotations

import pytest

from bot.safety.detector import assess
from bot.safety.normalise import normalise


def present(text: str) -> list[str]:
    return [flag.id for flag in assess(text).present]


def status(text: str) -> dict[str, str]:
    return {finding.flag.id: finding.status for finding in assess(text).findings}


# ---- layer 1: one spelling ----
@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("I can’t pee", "i can not pee"),
        ("i cant pee", "i can not pee"),
        ("cnt pee", "can not pee"),
        ("I cannot pee", "i can not pee"),
        ("dont have a fever", "do not have a fever"),
        ("sooooo numb", "soo numb"),
        ("im 78", "i am 78"),
        ("u r numb", "you are numb"),
    ],
)
def test_phone_spellings_become_one(typed: str, normalised: str) -> None:
    assert normalise(typed) == normalised


def test_misspelt_key_terms_are_corrected_but_english_words_are_not() -> None:
    vocabulary = {"fever", "accident", "incontinence", "numbness", "osteoporosis"}
    assert normalise("feaver after a car acident", vocabulary) == "fever after a car accident"
    assert normalise("incontinance and numbnes", vocabulary) == "incontinence and numbness"
    assert normalise("osteoperosis", vocabulary) == "osteoporosis"
    # "never" is English, one letter from "fever": it stays "never".
    assert normalise("never had this", vocabulary) == "never had this"


# ---- layer 2: matching ----
@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("i cant hold my urine anymore", "incontinence"),
        ("I can’t pee since this morning", "urinary_retention"),
        ("my bladder feels full but won't empty", "urinary_retention"),
        ("it's numb when I wipe", "saddle_numbness"),
        ("tingling in my private parts", "saddle_numbness"),
        ("pins and needles down both legs", "both_legs"),
        ("my foot keeps dragging", "leg_weakness"),
        ("my leg is giving way", "leg_weakness"),
        ("had a car acident yesterday", "major_trauma"),
        ("chest feels tight and my back hurts", "chest_pain"),
        ("tearing pain in my back and i fainted", "tearing_pain"),
        ("chills and a sore back", "fever"),
        ("had a spinal injection last week, now worse", "infection_risk"),
        ("i had prostate ca", "cancer_history"),
        ("losing weight without trying", "weight_loss"),
        ("the pain wakes me up at night", "night_pain"),
        ("there's a lump on my spine", "lump_or_deformity"),
        ("can't get an erection since the back pain", "sexual_dysfunction"),
    ],
)
def test_each_kind_of_red_flag_is_heard(text: str, flag: str) -> None:
    assert flag in present(text)


@pytest.mark.parametrize(
    "text",
    [
        "why do you check my hips when my back hurts",
        "my hips feel tight and my lower back aches",
        "can I book an appointment in Lafayette",
        "what did the study find about hip extension",
        "mon after 5",
        "303-555-0188",
        "never had back pain like this before",
    ],
)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert assess(text).findings == ()


# ---- measures ----
@pytest.mark.parametrize(
    ("text", "is_fever"),
    [
        ("my temp is 100.4", True),
        ("my temp is 100.3", False),
        ("temperature 38.2 c", True),
        ("temperature 37.5", False),
        ("running 101 with back pain", True),
        ("I walked 101 steps", False),
    ],
)
def test_a_temperature_counts_from_100_4_f_or_38_c(text: str, is_fever: bool) -> None:
    assert ("fever" in present(text)) is is_fever


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("i'm 78 and slipped on the step", True),
        ("I am 69 and slipped on the step", False),
        ("I have osteoporosis and tripped on the curb", True),
        ("I slipped on the ice", False),
    ],
)
def test_a_minor_fall_counts_with_weak_bones_or_age_70(text: str, flagged: bool) -> None:
    assert ("minor_fall_fragile" in present(text)) is flagged


# ---- layer 3: context ----
@pytest.mark.parametrize(
    ("text", "flag", "expected"),
    [
        ("no fever, my hips are just stiff", "fever", "denied"),
        ("I don't have any numbness down there", "saddle_numbness", "denied"),
        ("my son has a fever, can I move my visit", "fever", "someone_else"),
        ("my mom had cancer", "cancer_history", "someone_else"),
        ("I had a car crash years ago and I'm fine", "major_trauma", "long_past"),
        # A past cancer with new back pain is itself the red flag.
        ("I had cancer 5 years ago and now new back pain", "cancer_history", "present"),
        # Uncertain counts.
        ("I think I might have a fever", "fever", "present"),
        ("not sure but my groin feels numb", "saddle_numbness", "present"),
        # A denial reaches only the words next to it.
        ("no fever but i cant pee", "urinary_retention", "present"),
        ("my son has a fever and I can't feel my groin", "saddle_numbness", "present"),
        # The red flag's own "not" is not a denial.
        ("I can not pee", "urinary_retention", "present"),
        # A denial stops at "and": a second symptom is not denied with the first.
        ("no fever and cant pee", "urinary_retention", "present"),
        # A denied list written with commas and "or" is denied to its end...
        ("I have not had a fever, chills or night sweats", "fever", "denied"),
        ("no numbness, no fever or chills", "fever", "denied"),
        # ...but not a list joined by "and", nor an item in the red flag's own words.
        ("no fever, chills and sweats", "fever", "present"),
        ("no fever, can't pee or poop", "urinary_retention", "present"),
        # An answer after a question or a form's label.
        ("Q: fever? A: no", "fever", "denied"),
        ("Fever: none", "fever", "denied"),
        # Someone else's, unless the red flag's own words say it is the writer's.
        ("asking for my son, he says both legs tingle", "both_legs", "someone_else"),
        ("my husband says the lump on my back is bigger", "lump_or_deformity", "present"),
        ("my wife said my temp is 102", "fever", "present"),
        # A pet's symptom is someone else's; tripping over the pet is still the writer's fall.
        ("our dog has a lump on his back", "lump_or_deformity", "someone_else"),
        ("I have osteoporosis and tripped over the dog", "minor_fall_fragile", "present"),
        # Idioms built on the red flag's own words.
        ("got a lump sum from my HSA", "lump_or_deformity", "not_literal"),
        ("cabin fever is real, been stuck inside", "fever", "not_literal"),
        ("is 102F ok for the hot tub", "fever", "not_literal"),
        # A red flag that needs two things (a fall and weak bones) is denied when one of them is.
        ("I don't have osteoporosis and I didn't fall", "minor_fall_fragile", "denied"),
        ("no osteoporosis but I fell", "minor_fall_fragile", "denied"),
        # Someone else's body inside the red flag's own words.
        ("our dachshund's back legs gave out", "both_legs", "someone_else"),
        # A function lost, said with "no" or "zero", is the symptom, not a denial.
        ("zero urge to wee today", "urinary_retention", "present"),
        ("no morning wood since the back thing", "sexual_dysfunction", "present"),
        # ...while "no problems with" denies it.
        ("no problems with erections", "sexual_dysfunction", "denied"),
        # A form's answer before the item, or "nope" after it.
        ("checked the list - no numbness in the saddle area", "saddle_numbness", "denied"),
        ("any trouble urinating? and nope, not at all", "urinary_retention", "denied"),
        # "have not been able to" is the symptom's own words, however far the denial reaches.
        ("havent been able to get hard since I hurt my back", "sexual_dysfunction", "present"),
        # A short course of steroids is not long-term use; a short fever is still a fever.
        ("I was on prednisone for two weeks in 2020", "weak_immune_system", "denied"),
        ("I have had chills for a few days", "fever", "present"),
        # "nothing numb", "nothing giving way" deny; "nothing" alone does not.
        ("nothing numb in my groin, just a stiff back", "saddle_numbness", "denied"),
        ("I feel nothing when I wipe", "saddle_numbness", "present"),
        ("nothing stops the leaking from my bladder", "incontinence", "present"),
        ("there is nothing there when I wipe, totally numb", "saddle_numbness", "present"),
        ("nothing comes out when i try to pee", "urinary_retention", "present"),
        ("my bladder control is 100%, only the back aches", "incontinence", "denied"),
        # "I" inside the red flag's words does not make a child's infection the writer's.
        (
            "my son has a uti and i have to drive him to the doctor",
            "infection_risk",
            "someone_else",
        ),
        # Weight lost on purpose is not unexplained; "not on a diet" still is.
        ("lost 12 pounds on purpose with my diet", "weight_loss", "denied"),
        ("lost 12 pounds, not on a diet or anything", "weight_loss", "present"),
        # Frustration with a symptom is not a figure of speech, and what is fine is "everything
        # else", not the symptom before it.
        ("sick of this numbness in my groin", "saddle_numbness", "present"),
        ("I'm so tired of wetting myself", "incontinence", "present"),
        ("my knees went weak and I keep falling", "leg_weakness", "present"),
        ("cant pee everything else is fine", "urinary_retention", "present"),
        ("lost bladder control my legs are strong", "incontinence", "present"),
        # "not great" judges; it denies nothing after it.
        ("this is not great: both legs went numb tonight", "both_legs", "present"),
        # Idioms: "out of shape" is about fitness, unless the back is.
        ("I'm so out of shape, my back gets stiff", "lump_or_deformity", "not_literal"),
        ("my spine looks out of shape in the mirror", "lump_or_deformity", "present"),
        # Session 7, from set I's misses and false alarms (a dev set since then):
        # a form's "- No" after the item answers it; "no bladder control" is still the red flag.
        ("Loss of bladder control - No. Fever - No.", "incontinence", "denied"),
        ("since last night no bladder control at all", "incontinence", "present"),
        ("i no more control the pee, it come out by itself", "incontinence", "present"),
        # a past cancer counts (red-flags-facts.md), "fine now" or not; a scare is not a cancer
        ("had cancer in college, all good now, back hurts for weeks", "cancer_history", "present"),
        ("had a cancer scare last spring, back hurts", "cancer_history", "denied"),
        ("no immune problems, HIV negative", "weak_immune_system", "denied"),
        # keen or hot, not ill; only the fever is dismissed
        ("got pickleball fever, want to play again", "fever", "not_literal"),
        ("burning up in this heat wave, is the clinic air conditioned", "fever", "not_literal"),
        ("lost 5 pounds so far and I want to lose 10 more", "weight_loss", "denied"),
        ("my grandpas legs keep giving out, can he come in", "leg_weakness", "someone_else"),
        ("used IV drugs in the 90s, clean 25 yrs", "infection_risk", "long_past"),
        ("nothing helps, not lying down, not sitting", "night_pain", "present"),
        ("nothing tearing or sudden, a slow dull ache", "tearing_pain", "denied"),
        # session 8: a red flag as a topic, a fright, a child's age, an age then
        ("the intake form asks about fever, do I fill it in online", "fever", "not_literal"),
        ("my sister keeps warning me to watch out for ripping pain", "tearing_pain", "not_literal"),
        ("that invoice nearly gave me a heart attack", "chest_pain", "not_literal"),
        ("my 8-year-old has a fever so I need to move my visit", "fever", "someone_else"),
        ("I crashed my bike when I was 17 and my back is fine", "major_trauma", "long_past"),
        ("I used to inject drugs, and my back is sore from work", "infection_risk", "long_past"),
        ("bowels and bladder are all under control, just stiff", "incontinence", "denied"),
        # ...but the way back from a trip is not the past, and a change is not a past
        (
            "rolled the car on the way back from the mountains, back hurts",
            "major_trauma",
            "present",
        ),
        ("my back is more hunched than it used to be", "lump_or_deformity", "present"),
        ("when I was in the kitchen my legs both went numb", "both_legs", "present"),
    ],
)
def test_context_decides_whose_and_when(text: str, flag: str, expected: str) -> None:
    assert status(text)[flag] == expected


def test_being_able_to_stand_on_toes_is_not_weakness() -> None:
    assert present("I can stand on my toes and on my heels like you showed me") == []
    assert present("I can't stand on my toes anymore") == ["leg_weakness"]


def test_a_crash_with_a_driver_is_a_serious_accident_and_weight_words_need_a_loss() -> None:
    assert present("a crash last week, the other driver ran a red") == ["major_trauma"]
    assert present("scale says I'm down 10 pounds without trying") == ["weight_loss"]
    assert present("which weight-bearing exercises help prevent bone loss down the road") == []


def test_every_red_flag_heard_is_named_highest_tier_first() -> None:
    assessment = assess("I have a fever and I can't control my bladder")
    ids = [flag.id for flag in assessment.present]
    assert {"incontinence", "fever"} <= set(ids)
    assert ids[-1] == "fever"  # tier 2 after every tier 1
    assert assessment.tier == 1


def test_a_dismissed_fever_idiom_leaves_a_tier_1_red_flag_beside_it() -> None:
    assert "saddle_numbness" in present("got pickleball fever and my groin is numb since monday")


@pytest.mark.parametrize(
    "text, flag",
    [
        ("been leaking so much I had to change my clothes twice", "incontinence"),
        ("hit an elk on the highway, the airbags went off, back hurts", "major_trauma"),
        ("I'm hot to the touch and achey all over with this back pain", "fever"),
        ("had a kyphoplasty last month and the area is getting worse", "infection_risk"),
        ("been on dexamethasone for months and now my back hurts", "weak_immune_system"),
        ("i lose 5 kilo and i do not try to", "weight_loss"),
        ("I'm 78 and I strained my back picking up my grandson", "minor_fall_fragile"),
        ("a 71-year-old who tripped on the rug, back pain since", "minor_fall_fragile"),
        ("sex has felt numb since my back went out", "sexual_dysfunction"),
        ("felt a lump on the left side of my lower back", "lump_or_deformity"),
        # someone writing for the patient passes on the patient's red flag
        (
            "texting for my mum, she is the patient: she can't pee since last night",
            "urinary_retention",
        ),
        (
            "I'm writing on behalf of my husband, he's been wetting himself since Monday",
            "incontinence",
        ),
        ("sat on the toilet for ages and nothing would come out", "urinary_retention"),
        ("since monday i am losing urine without control", "incontinence"),
        ("my erection is gone since the back pain, before no problem", "sexual_dysfunction"),
        ("everyone says i look thinner lately and i eat the same", "weight_loss"),
        ("the pain is much badder in the night", "night_pain"),
        ("my back is crooked all of a sudden", "lump_or_deformity"),
        ("laid my bike down on the interstate yesterday, back is wrecked", "major_trauma"),
    ],
)
def test_blind_rounds_wordings_are_heard(text: str, flag: str) -> None:
    """Wordings of the dev sets' misses, sessions 8 and 9, in words of our own."""
    assert flag in present(text)


@pytest.mark.parametrize(
    "text",
    [
        "got a knot in my lower back from sitting all day",
        "sat hunched over my laptop all week and my back aches",
        "leg day wrecked me, both legs are dead, back a bit tight",
        "I lose sleep over my kids more than over my back",
        "back is sore but i control my bladder fine",
        "i sit hunched over my desk all day and my back aches",
        "bent down and all of a sudden felt a twinge in my back",
    ],
)
def test_blind_rounds_ordinary_wordings_are_left_alone(text: str) -> None:
    assert present(text) == []
