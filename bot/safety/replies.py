"""The words of the urgent advice, built from ``red_flags.yml`` and the clinic's details.

The reply names every red flag heard, in plain words, gives the advice of the most urgent tier
heard (tier 1: 911 or the emergency room now; tier 2: a doctor today), the clinic's phone and the
sources. It is built inside the Rasa server (by the NLU guard), so it never waits on the action
server: a reply that must reach the patient does not depend on a second process.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Clinic, KnowledgeBase
from bot.safety.rules import RedFlag, SafetyRules


@dataclass(frozen=True)
class UrgentReply:
    text: str
    tier: int
    level: str


def join_labels(labels: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def source_line(rules: SafetyRules, knowledge: KnowledgeBase) -> str:
    """One line: each source's short name and its best link."""
    parts = []
    for source_id in rules.source_ids:
        source = knowledge.sources[source_id]
        parts.append(f"{source.short}, {source.best_url}" if source.best_url else source.short)
    return rules.replies["source"].format(sources="; ".join(parts))


def urgent_reply(
    rules: SafetyRules, knowledge: KnowledgeBase, flags: tuple[RedFlag, ...]
) -> UrgentReply:
    """Advice for the red flags heard (highest tier first); with none named, the general list."""
    clinic = knowledge.clinic
    if flags:
        tier = rules.tiers[min(flag.tier for flag in flags)]
        heard = rules.replies["heard"].format(labels=join_labels([f.label for f in flags]))
        opening = f"{heard} {_fill(tier.advice, clinic)}"
    else:
        tier = rules.tiers[1]
        opening = _fill(rules.replies["general"], clinic)
    text = "\n\n".join(
        [opening, _fill(rules.replies["clinic"], clinic), source_line(rules, knowledge)]
    )
    return UrgentReply(text=text, tier=tier.number, level=tier.level)


def mention_note(rules: SafetyRules, knowledge: KnowledgeBase, flags: tuple[RedFlag, ...]) -> str:
    """One short line per tier for red flags that were denied, someone else's or long past."""
    lines = []
    for number in sorted({flag.tier for flag in flags}):
        labels = [flag.label for flag in flags if flag.tier == number]
        mention = rules.tiers[number].mention.replace("{label}", join_labels(labels))
        lines.append(_fill(mention, knowledge.clinic))
    return " ".join(lines)


def _fill(template: str, clinic: Clinic) -> str:
    text = template.replace("{emergency_number}", clinic.emergency_number)
    return " ".join(text.replace("{clinic_phone}", clinic.phone).split())
