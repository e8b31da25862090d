"""The safety rules are data the clinic edits: mistakes are reported with file and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError
from bot.safety.rules import load_safety_rules
from bot.settings import get_settings

KNOWLEDGE = get_settings().knowledge_dir
CONTEXT = KNOWLEDGE / "red_flag_context.yml"


def write_rules(tmp_path: Path, flags: str) -> Path:
    head = (KNOWLEDGE / "red_flags.yml").read_text().split("\nred_flags:")[0]
    path = tmp_path / "red_flags.yml"
    path.write_text(head + "\nred_flags:\n" + flags)
    return path


def test_the_shipped_rules_load_with_both_tiers() -> None:
    rules = load_safety_rules(KNOWLEDGE / "red_flags.yml", CONTEXT)
    assert {flag.tier for flag in rules.flags} == {1, 2}
    assert rules.flag("incontinence").tier == 1
    assert rules.flag("fever").tier == 2


def test_an_unquoted_no_is_refused_with_the_flag_named(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "  - id: odd\n    tier: 1\n    label: x\n    phrases: [no, pee]\n")
    with pytest.raises(KnowledgeError, match=r"red flag 'odd'.*quote words"):
        load_safety_rules(path, CONTEXT)


def test_an_unknown_concept_is_refused(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "  - id: odd\n    tier: 2\n    label: x\n    phrases: ['@nope']\n")
    with pytest.raises(KnowledgeError, match="unknown concept '@nope'"):
        load_safety_rules(path, CONTEXT)


def test_a_tier_other_than_1_or_2_is_refused(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "  - id: odd\n    tier: 3\n    label: x\n    phrases: [pee]\n")
    with pytest.raises(KnowledgeError, match="'tier' must be 1 or 2"):
        load_safety_rules(path, CONTEXT)
