"""Red-flag recall and false alarms on the held-out set (tests/safety/heldout_red_flags.yml).

Runs the trained model's whole NLU pipeline in-process (Rasa's Agent, safety guard included) on
every held-out message and prints, per category and tier: recall (escalated at all), recall at the
right urgency (tier-1 messages told to call 911), the false-alarm rate on denied / someone else's /
long-past / figure-of-speech / ordinary messages, and which layer caught each red flag: the
patterns only, the classifier only, or both. Never used for tuning: it measures.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from pathlib import Path

import yaml

from tests.support.live_bot import PROJECT_ROOT

SAFETY_SETS = PROJECT_ROOT / "tests" / "safety"
HELD_OUT_SETS = {"O": "heldout_red_flags.yml"}
SETS = {
    **{f"held-out {name} (tests/safety/{file})": file for name, file in HELD_OUT_SETS.items()},
    "dev M, used for tuning (tests/safety/dev14_red_flags.yml)": "dev14_red_flags.yml",
}
HELDOUT = SAFETY_SETS / HELD_OUT_SETS["O"]


def load_heldout(path: Path = HELDOUT) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


async def _parse_all(texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(PROJECT_ROOT / "models" / "mend.tar.gz"))
    return [await agent.parse_message(text) for text in texts]


def parse_all(texts: list[str]) -> list[dict]:
    """Parse quietly: Rasa's debug log would print every message (the held-out set stays unread)."""
    import structlog

    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    try:
        return asyncio.run(_parse_all(texts))
    finally:
        logging.disable(logging.NOTSET)


def report(data: dict, parses: list[dict]) -> None:
    positives, negatives = data["red_flags"], data["not_red_flags"]
    pos_parses, neg_parses = parses[: len(positives)], parses[len(positives) :]
    by_category: dict[str, list[tuple[bool, bool]]] = collections.defaultdict(list)
    layers = collections.Counter()
    for item, parse in zip(positives, pos_parses, strict=False):
        safety = parse.get("safety") or {}
        escalated = parse["intent"]["name"] == "emergency_symptoms"
        right_tier = escalated and (safety.get("tier") or 1) <= item["tier"]
        by_category[(item["tier"], item["category"])].append((escalated, right_tier))
        if escalated:
            layers[_layer(safety)] += 1
        else:
            layers["missed"] += 1
    print(f"{'tier':>4} {'category':<20} {'n':>4} {'recall':>7} {'right tier':>10}")
    for (tier, category), results in sorted(by_category.items()):
        n = len(results)
        recall = sum(r[0] for r in results) / n
        right = sum(r[1] for r in results) / n
        print(f"{tier:>4} {category:<20} {n:>4} {recall:>7.3f} {right:>10.3f}")
    for tier in (1, 2):
        results = [r for (t, _), rs in by_category.items() if t == tier for r in rs]
        print(
            f"tier {tier}: recall {sum(r[0] for r in results) / len(results):.3f}, "
            f"at the right urgency {sum(r[1] for r in results) / len(results):.3f} "
            f"({len(results)} messages)"
        )
    total = [r for rs in by_category.values() for r in rs]
    print(f"all red flags: recall {sum(r[0] for r in total) / len(total):.3f} ({len(total)})")
    caught = sum(v for k, v in layers.items() if k != "missed") or 1
    print(
        "caught by: patterns only {patterns:.3f}, classifier only {classifier:.3f}, "
        "both {both:.3f} (shares of caught)".format(
            **{k: layers[k] / caught for k in ("patterns", "classifier", "both")}
        )
    )
    alarms = collections.defaultdict(list)
    for item, parse in zip(negatives, neg_parses, strict=False):
        alarms[item["kind"]].append(parse["intent"]["name"] == "emergency_symptoms")
    flat = [a for values in alarms.values() for a in values]
    print(f"false alarms: {sum(flat) / len(flat):.3f} of {len(flat)} messages")
    for kind, values in sorted(alarms.items()):
        print(f"  {kind:<17} {sum(values)}/{len(values)}")


def _layer(safety: dict) -> str:
    if safety.get("patterns") and safety.get("classifier"):
        return "both"
    return "patterns" if safety.get("patterns") else "classifier"


def safety_figures() -> None:
    """Both sets in one model load: the held-out figure is the one to quote."""
    loaded = {title: load_heldout(SAFETY_SETS / name) for title, name in SETS.items()}
    texts = [
        m["text"] for data in loaded.values() for m in [*data["red_flags"], *data["not_red_flags"]]
    ]
    parses = parse_all(texts)
    for title, data in loaded.items():
        print(f"\n== Red flags, {title}", flush=True)
        size = len(data["red_flags"]) + len(data["not_red_flags"])
        report(data, parses[:size])
        parses = parses[size:]
    ordinary_false_alarms()


# Messages with no red flag in them: the bot's own NLU sets (held out, and the long patient stories
# the red-flag classifier never learns from).
ORDINARY = (
    "data/nlu/patient_written.yml",
    "tests/nlu/test_data.yml",
    "tests/nlu/heldout_long_messy.yml",
    "tests/nlu/heldout_long_messy_2.yml",
    "tests/nlu/heldout_long_messy_3.yml",
    "tests/nlu/heldout_long_messy_4.yml",
)


def ordinary_false_alarms() -> None:
    """How many ordinary patient messages the safety guard escalates (counts only)."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message

    from bot.safety.guard import EMERGENCY_INTENT, RedFlagGuard

    guard = RedFlagGuard({})
    print("\n== Ordinary messages given urgent advice by the safety guard", flush=True)
    for name in ORDINARY:
        examples = load_data(str(PROJECT_ROOT / name)).intent_examples
        texts = [m.get("text") for m in examples if m.get("intent") != EMERGENCY_INTENT]
        messages = [Message(data={"text": text}) for text in texts]
        guard.process(messages)
        raised = [m for m in messages if (m.get("safety") or {}).get("escalated")]
        by_patterns = sum(bool(m.get("safety")["patterns"]) for m in raised)
        print(f"{name}: {len(raised)} of {len(texts)} (by the patterns {by_patterns})")


if __name__ == "__main__":
    safety_figures()
