"""The safety net on messages written blind, by people who never saw its patterns or examples.

- ``heldout_red_flags.yml``: the held-out set (set O, two more writers', session 9, written
  before the round on set M), measured once per version of the code (figures only),
  never tuned on;
- ``dev_red_flags.yml`` to ``dev14_red_flags.yml`` (sets A to N, and M): earlier blind sets, each
  written as a held-out set (N as a dev set from the start) and then used to inspect misses while
  tuning: dev sets now, never training data.

These run the guard as deployed (patterns, context and the red-flag classifier) without the
intent classifier, which can only add escalations; `make bench` prints the whole pipeline's
figures per category and tier.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from bot.safety.guard import RedFlagGuard

HERE = Path(__file__).parent
GUARD = RedFlagGuard({})


def load(name: str) -> dict:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def escalates(text: str) -> bool:
    message = Message(data={"text": text})
    GUARD.process([message])
    return (message.get("intent") or {}).get("name") == "emergency_symptoms"


def rate(messages: list[dict]) -> float:
    return sum(escalates(m["text"]) for m in messages) / len(messages)


HELDOUT_SETS = {name: load(name) for name in ("heldout_red_flags.yml",)}
# Every dev set in this folder (test_classifier.py checks how many there are).
DEV_SETS = tuple(sorted(path.name for path in HERE.glob("dev*_red_flags.yml")))
# Left unmatched on purpose, each with its reason (strict: the test says so when one is caught).
# None since session 9: the classifier at 0.75 hears "little guy's not waking up these days".
KNOWN_TIER_1_MISSES: dict[str, str] = {}
DEV_TIER_1 = [
    pytest.param(
        m,
        marks=pytest.mark.xfail(strict=True, reason=KNOWN_TIER_1_MISSES[m["text"]]),
    )
    if m["text"] in KNOWN_TIER_1_MISSES
    else m
    for name in DEV_SETS
    for m in load(name)["red_flags"]
    if m["tier"] == 1
]


@pytest.mark.parametrize("message", DEV_TIER_1, ids=lambda m: m["category"])
def test_every_tier_1_message_of_the_dev_sets_escalates(message: dict) -> None:
    assert escalates(message["text"]), message["text"]


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_held_out_tier_1_recall_stays_at_least_95_percent(name: str) -> None:
    """The issue's target is every one (the dev sets' test above asserts it for all 2,835
    messages); unseen, 173 of 180 escalate on set O (0.961; 172 before session 9's round), a
    harder set than M (177 of 180), J and K (180 of 180) or L (179 of 180). This guards against it
    getting worse; the misses stay unread while O is held out."""
    assert rate([m for m in HELDOUT_SETS[name]["red_flags"] if m["tier"] == 1]) >= 0.95


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_held_out_recall_of_all_red_flags_is_at_least_95_percent(name: str) -> None:
    """O: 0.962 after session 9's round, 0.941 before it (M 0.982, J 0.997, K 0.994, L 0.988 when
    each was held out). The issue asks 0.98: not met on O."""
    assert rate(HELDOUT_SETS[name]["red_flags"]) >= 0.95


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_held_out_false_alarms_stay_at_most_10_percent(name: str) -> None:
    """The issue's target: on set O, 18 of 219 denied, someone else's, long-past, figurative and
    ordinary messages raise the alarm (0.082, before and after session 9's round); set M had 0.069,
    L 0.069 before session 8's round and 0.055 after it, J and K 0.112 and 0.124 before it."""
    assert rate(HELDOUT_SETS[name]["not_red_flags"]) <= 0.10


def test_dev_false_alarms_stay_below_four_percent() -> None:
    """The dev sets' hard negatives (denied, someone else's, long past, figures of speech): 73 of
    2,311 (0.032) after session 9's round (sets A to N and M: the classifier at 0.75 rather than
    0.8), 54 of 2,294 (0.024) after session 8's rounds (sets A to N), 34 of 1,359 (0.025) after
    session 7's (sets A to I), 61 of 1,192 (0.051) before session 6's."""
    negatives = [m for name in DEV_SETS for m in load(name)["not_red_flags"]]
    assert rate(negatives) <= 0.04


def test_dev_tier_2_red_flags_escalate() -> None:
    """Every one of the 2,233 tier-2 messages of sets A to N and M escalates after session 9's
    round; a little room for a later round's trade-offs, none for a trend."""
    tier_2 = [m for name in DEV_SETS for m in load(name)["red_flags"] if m["tier"] == 2]
    assert rate(tier_2) >= 0.997
