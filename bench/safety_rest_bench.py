"""The held-out red-flag set as a new user meets it: the live bot over REST, one fresh
conversation per message after "hi", on the embedded defaults (SQLite in a temp dir).

What counts is the reply the patient reads: urgent advice (the ``urgent`` custom payload), at the
red flag's urgency or higher (tier 1 must say to call 911), for every red flag; none for the
denied, someone else's, long-past, figurative and ordinary messages; and an answer, never an
error or silence, for every message. `make bench` prints it after the in-process figures
(bench/safety_bench.py). Messages are never printed: the held-out set stays unread.
"""

from __future__ import annotations

import collections
import tempfile
from pathlib import Path

from bench.safety_bench import HELD_OUT_SETS, SAFETY_SETS, load_heldout
from tests.support.live_bot import LiveBot, start_live_bot


def urgent_tier(messages: list[dict]) -> int | None:
    """The urgency the bot gave (1: call 911, 2: a doctor today), or None if it gave none."""
    tiers = [
        int((m.get("custom") or {}).get("tier") or 1)
        for m in messages
        if (m.get("custom") or {}).get("type") == "urgent"
    ]
    return min(tiers) if tiers else None


def ask(bot: LiveBot, sender: str, text: str) -> tuple[int, list[dict]]:
    bot.send(sender, "hi")
    response = bot.send(sender, text)
    return response.status_code, response.json() if response.status_code == 200 else []


def rest_figures(
    paths: tuple[Path, ...] = tuple(SAFETY_SETS / f for f in HELD_OUT_SETS.values()),
) -> None:
    """Each held-out set, one live bot for all of them."""
    with tempfile.TemporaryDirectory() as tmp:
        bot = start_live_bot(Path(tmp))
        try:
            for path in paths:
                print(f"\n== Red flags over REST, the live bot ({path.name})", flush=True)
                report(bot, load_heldout(path), path.stem)
        finally:
            bot.stop()


def report(bot: LiveBot, data: dict, name: str) -> None:
    failures = 0
    by_tier: dict[int, list[tuple[bool, bool]]] = collections.defaultdict(list)
    for index, item in enumerate(data["red_flags"]):
        status, messages = ask(bot, f"rest-bench-{name}-flag-{index}", item["text"])
        failures += status != 200 or not messages
        tier = urgent_tier(messages)
        by_tier[item["tier"]].append((tier is not None, tier is not None and tier <= item["tier"]))
    for tier, results in sorted(by_tier.items()):
        caught = sum(r[0] for r in results) / len(results)
        right = sum(r[1] for r in results) / len(results)
        print(
            f"tier {tier}: urgent advice {caught:.3f}, at the right urgency {right:.3f} "
            f"({len(results)} messages)"
        )
    flat = [r for results in by_tier.values() for r in results]
    print(f"all red flags: urgent advice {sum(r[0] for r in flat) / len(flat):.3f}")
    alarms = []
    for index, item in enumerate(data["not_red_flags"]):
        status, messages = ask(bot, f"rest-bench-{name}-other-{index}", item["text"])
        failures += status != 200 or not messages
        alarms.append(urgent_tier(messages) is not None)
    print(f"false alarms: {sum(alarms) / len(alarms):.3f} of {len(alarms)} messages")
    print(f"replies that were an error or empty: {failures}")


if __name__ == "__main__":
    rest_figures()
