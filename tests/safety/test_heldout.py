"""The safety net on messages written blind, by people who never saw its patterns or examples.

- ``heldout_red_flags.yml``: the held-out set (set J, two more writers', session 7), measured
  once per version of the code (figures only), never tuned on;
- ``heldout_k_red_flags.yml``: a second held-out set (set K, two more writers', written after
  session 7's round), the same way.
- ``dev_red_flags.yml`` to ``dev9_red_flags.yml`` (sets A to I): earlier blind sets, each written
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


HELDOUT_SETS = {name: load(name) for name in ("heldout_red_flags.yml", "heldout_k_red_flags.yml")}
DEV_SETS = tuple(f"dev{n}_red_flags.yml" for n in ("", "2", "3", "4", "5", "6", "7", "8", "9"))
DEV_TIER_1 = [m for name in DEV_SETS for m in load(name)["red_flags"] if m["tier"] == 1]


@pytest.mark.parametrize("message", DEV_TIER_1, ids=lambda m: m["category"])
def test_every_tier_1_message_of_the_dev_sets_escalates(message: dict) -> None:
    assert escalates(message["text"]), message["text"]


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_held_out_tier_1_recall_stays_at_least_98_percent(name: str) -> None:
    """The issue's target is every one (the dev sets' test above asserts it for 1,576 messages);
    unseen, 180 of 180 escalate on set J and 180 of 180 on set K (set I: 176 of 178). This guards
    against it getting worse; any miss stays unread while J and K are held out."""
    assert rate([m for m in HELDOUT_SETS[name]["red_flags"] if m["tier"] == 1]) >= 0.98


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_held_out_recall_of_all_red_flags_is_at_least_98_percent(name: str) -> None:
    """J: 339 of 340 (0.997); K: 338 of 340 (0.994)."""
    assert rate(HELDOUT_SETS[name]["red_flags"]) >= 0.98


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_held_out_false_alarms_stay_at_most_13_percent(name: str) -> None:
    """The issue's target is 0.10, not met: on set J, read by session 6's code, 20 of 170 denied,
    someone else's, long-past, figurative and ordinary messages raised the alarm (0.118), after
    session 7's round on set I 19 (0.112); on set K, written after that round, 21 (0.124). Set I
    had 0.066. This guards against it getting worse."""
    assert rate(HELDOUT_SETS[name]["not_red_flags"]) <= 0.13


def test_dev_false_alarms_stay_below_four_percent() -> None:
    """The dev sets' hard negatives (denied, someone else's, long past, figures of speech): 34 of
    1,359 (0.025) after session 7's round (sets A to I), 61 of 1,192 (0.051) before session 6's."""
    negatives = [m for name in DEV_SETS for m in load(name)["not_red_flags"]]
    assert rate(negatives) <= 0.04


def test_dev_tier_2_red_flags_escalate() -> None:
    """Every one of the 1,356 tier-2 messages of sets A to I escalates after session 7's round (3
    missed before it); a little room for a later round's trade-offs, none for a trend."""
    tier_2 = [m for name in DEV_SETS for m in load(name)["red_flags"] if m["tier"] == 2]
    assert rate(tier_2) >= 0.997
