"""The safety net on messages written blind, by people who never saw its patterns or examples.

- ``heldout_red_flags.yml``: the held-out set (set I, two more writers', session 6), measured
  once per version of the code (figures only), never tuned on.
- ``dev_red_flags.yml`` to ``dev8_red_flags.yml`` (sets A to H): earlier blind sets, each written
  as a held-out set and then used to inspect misses while tuning: dev sets now, never training
  data.

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


HELDOUT = load("heldout_red_flags.yml")
DEV_SETS = tuple(f"dev{n}_red_flags.yml" for n in ("", "2", "3", "4", "5", "6", "7", "8"))
DEV_TIER_1 = [m for name in DEV_SETS for m in load(name)["red_flags"] if m["tier"] == 1]


@pytest.mark.parametrize("message", DEV_TIER_1, ids=lambda m: m["category"])
def test_every_tier_1_message_of_the_dev_sets_escalates(message: dict) -> None:
    assert escalates(message["text"]), message["text"]


def test_held_out_tier_1_recall_stays_at_least_98_percent() -> None:
    """The issue's target is every one (the dev sets' test above asserts it for 1,398 messages);
    on set I, unseen, 176 of 178 escalate (set H: 180 of 180, set G: 179 of 180). This guards
    against it getting worse; the two misses stay unread while I is the held-out set."""
    assert rate([m for m in HELDOUT["red_flags"] if m["tier"] == 1]) >= 0.98


def test_held_out_recall_of_all_red_flags_is_at_least_98_percent() -> None:
    assert rate(HELDOUT["red_flags"]) >= 0.98


def test_held_out_false_alarms_stay_at_most_10_percent() -> None:
    """The issue's target, 0.10: on set I 11 of 167 denied, someone else's, long-past, figurative
    and ordinary messages raise the alarm (0.066; 0.090 before session 6's round on set H)."""
    assert rate(HELDOUT["not_red_flags"]) <= 0.10


def test_dev_false_alarms_stay_below_four_percent() -> None:
    """The dev sets' hard negatives (denied, someone else's, long past, figures of speech): 33 of
    1,192 (0.028) after session 6's round, 61 (0.051) before it."""
    negatives = [m for name in DEV_SETS for m in load(name)["not_red_flags"]]
    assert rate(negatives) <= 0.04
