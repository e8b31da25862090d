"""Loads and checks ``red_flags.yml`` and ``red_flag_context.yml``: the safety net as data.

The clinic's clinicians edit these files, so every mistake is reported with the file and the
entry it is in, at start-up, rather than as a red flag that silently never matches (an unquoted
``no`` in YAML is the boolean false, for example: every term must be a string).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge import KnowledgeError, read_yaml

TIERS = (1, 2)
MEASURES = {"age_70_plus", "high_temperature"}
CONTEXT_KINDS = ("denied", "someone_else", "long_past", "not_literal", "not_a_denial")
DIRECTIONS = {
    "forward": "FORWARD",
    "backward": "BACKWARD",
    "bidirectional": "BIDIRECTIONAL",
    "none": "PSEUDO",
}


@dataclass(frozen=True)
class Near:
    """A word from ``a`` within ``within`` words of a word from ``b``, in either order, or only
    ``a`` first when ``ordered``: "no bladder control" is the red flag, while in a form's
    "Loss of bladder control - No" the "no" answers the question."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    within: int
    ordered: bool = False


@dataclass(frozen=True)
class RedFlag:
    id: str
    tier: int
    label: str
    phrases: tuple[str, ...]
    near: tuple[Near, ...]
    all_of: tuple[tuple[str, ...], ...]
    measures: frozenset[str]
    historical_counts: bool


@dataclass(frozen=True)
class Tier:
    number: int
    level: str
    advice: str
    mention: str


@dataclass(frozen=True)
class ContextRule:
    kind: str
    direction: str
    max_scope: int | None
    phrases: tuple[str, ...]
    # Red flags this rule may change (empty: all): "for two weeks" makes a course of steroids
    # short, not a fever or chills that lasted two weeks.
    only_for: tuple[str, ...] = ()
    # Red flags this rule leaves alone: "had cancer in college, all good now" is still a history
    # of cancer, while "bladder all good" denies trouble peeing.
    not_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafetyRules:
    flags: tuple[RedFlag, ...]
    tiers: dict[int, Tier]
    replies: dict[str, str]
    source_ids: tuple[str, ...]
    context: tuple[ContextRule, ...]
    # Words that end what a rule reaches: "all" for every kind, else by kind ("i" ends only
    # someone_else: "my son has a fever and I can't pee").
    terminate: dict[str, tuple[str, ...]]

    def flag(self, flag_id: str) -> RedFlag:
        """The red flag with this id (the detector's matches are labelled with these ids)."""
        for flag in self.flags:
            if flag.id == flag_id:
                return flag
        raise KeyError(flag_id)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every single word of every term: what misspellings are corrected to."""
        words: set[str] = set()
        for flag in self.flags:
            terms = [*flag.phrases, *(w for group in flag.all_of for w in group)]
            for near in flag.near:
                terms += [*near.a, *near.b]
            for term in terms:
                words.update(term.split())
        return frozenset(words)


def load_safety_rules(red_flags_path: Path, context_path: Path) -> SafetyRules:
    content = read_yaml(red_flags_path)
    concepts = _concepts(content.get("concepts") or {}, red_flags_path)
    tiers = _tiers(content.get("tiers"), red_flags_path)
    flags = _flags(content.get("red_flags"), concepts, red_flags_path)
    replies = content.get("replies")
    if not isinstance(replies, dict):
        raise KnowledgeError(f"{red_flags_path}: 'replies' must map heard/general/clinic/source")
    for key in ("heard", "general", "clinic", "source"):
        if not isinstance(replies.get(key), str):
            raise KnowledgeError(f"{red_flags_path}: replies.{key} must be a text")
    sources = content.get("sources")
    if not isinstance(sources, list) or not sources:
        raise KnowledgeError(f"{red_flags_path}: 'sources' must list source ids from sources.yml")
    context, terminate = _context(read_yaml(context_path), context_path)
    known = {flag.id for flag in flags}
    for rule in context:
        if unknown := ", ".join(sorted({*rule.only_for, *rule.not_for} - known)):
            raise KnowledgeError(
                f"{context_path}: only_for/not_for name unknown red flags: {unknown}"
            )
    return SafetyRules(
        flags=flags,
        tiers=tiers,
        replies=dict(replies),
        source_ids=tuple(str(s) for s in sources),
        context=context,
        terminate=terminate,
    )


def _terms(values: Any, where: str) -> tuple[str, ...]:
    """A list of non-empty strings, lower case (YAML's `no`/`yes` would be booleans: refused)."""
    if not isinstance(values, list) or not values:
        raise KnowledgeError(f"{where}: expected a non-empty list of words or phrases")
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(
                f'{where}: {value!r} is not a text (quote words like "no" and "yes" in YAML)'
            )
    return tuple(" ".join(value.lower().split()) for value in values)


def _concepts(raw: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{path}: 'concepts' must map names to word lists")
    return {str(name): _terms(words, f"{path}: concept '{name}'") for name, words in raw.items()}


def _expand(terms: tuple[str, ...], concepts: dict[str, tuple[str, ...]], where: str):
    """Replace each "@concept" by its words; "@age_70_plus"-style measures are kept apart."""
    words: list[str] = []
    measures: set[str] = set()
    for term in terms:
        if not term.startswith("@"):
            words.append(term)
            continue
        name = term[1:]
        if name in MEASURES:
            measures.add(name)
        elif name in concepts:
            inner, inner_measures = _expand(concepts[name], concepts, where)
            words += inner
            measures |= inner_measures
        else:
            raise KnowledgeError(f"{where}: unknown concept '{term}'")
    return tuple(dict.fromkeys(words)), frozenset(measures)


def _tiers(raw: Any, path: Path) -> dict[int, Tier]:
    if not isinstance(raw, dict) or set(raw) != set(TIERS):
        raise KnowledgeError(f"{path}: 'tiers' must define tiers 1 and 2")
    tiers = {}
    for number, entry in raw.items():
        where = f"{path}: tier {number}"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{where}: expected level, advice and mention")
        for key in ("level", "advice", "mention"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise KnowledgeError(f"{where}: '{key}' must be a text")
        tiers[number] = Tier(number, entry["level"], entry["advice"], entry["mention"])
    return tiers


def _flags(raw: Any, concepts: dict[str, tuple[str, ...]], path: Path) -> tuple[RedFlag, ...]:
    if not isinstance(raw, list) or not raw:
        raise KnowledgeError(f"{path}: expected a non-empty list under 'red_flags'")
    flags: list[RedFlag] = []
    for entry in raw:
        flag_id = entry.get("id") if isinstance(entry, dict) else None
        where = f"{path}: red flag '{flag_id}'"
        if not flag_id or not isinstance(entry.get("label"), str):
            raise KnowledgeError(f"{path}: every red flag needs an 'id' and a 'label'")
        if entry.get("tier") not in TIERS:
            raise KnowledgeError(f"{where}: 'tier' must be 1 or 2")
        if any(flag.id == flag_id for flag in flags):
            raise KnowledgeError(f"{where}: listed twice")
        flags.append(_flag(entry, concepts, where))
    return tuple(flags)


def _flag(entry: dict[str, Any], concepts: dict[str, tuple[str, ...]], where: str) -> RedFlag:
    measures: set[str] = set()
    phrases: tuple[str, ...] = ()
    if "phrases" in entry:
        phrases, found = _expand(_terms(entry["phrases"], f"{where} phrases"), concepts, where)
        measures |= found
    near = []
    for index, rule in enumerate(entry.get("near") or []):
        rule_where = f"{where} near[{index}]"
        if not isinstance(rule, dict) or not isinstance(rule.get("within"), int):
            raise KnowledgeError(f"{rule_where}: expected a, b and a whole number 'within'")
        a, _ = _expand(_terms(rule.get("a"), rule_where + ".a"), concepts, where)
        b, _ = _expand(_terms(rule.get("b"), rule_where + ".b"), concepts, where)
        near.append(Near(a, b, rule["within"], bool(rule.get("ordered", False))))
    all_of = []
    for group in entry.get("all_of") or []:
        words, found = _expand(_terms([group], f"{where} all_of"), concepts, where)
        all_of.append(words + tuple(f"@{m}" for m in found))
    if not phrases and not near and not all_of and not measures:
        raise KnowledgeError(f"{where}: has no phrases, near or all_of")
    return RedFlag(
        id=str(entry["id"]),
        tier=int(entry["tier"]),
        label=entry["label"],
        phrases=phrases,
        near=tuple(near),
        all_of=tuple(all_of),
        measures=frozenset(measures),
        historical_counts=bool(entry.get("historical_counts", False)),
    )


def _context(
    content: dict[str, Any], path: Path
) -> tuple[tuple[ContextRule, ...], dict[str, tuple[str, ...]]]:
    rules = content.get("modifiers")
    if not isinstance(rules, dict) or set(rules) - set(CONTEXT_KINDS):
        raise KnowledgeError(f"{path}: 'modifiers' must have only {', '.join(CONTEXT_KINDS)}")
    parsed = []
    for kind, entries in rules.items():
        for index, entry in enumerate(entries or []):
            where = f"{path}: {kind}[{index}]"
            direction = DIRECTIONS.get(str(entry.get("direction")))
            if direction is None:
                raise KnowledgeError(f"{where}: direction must be one of {', '.join(DIRECTIONS)}")
            scope = entry.get("max_scope")
            if scope is not None and not isinstance(scope, int):
                raise KnowledgeError(f"{where}: max_scope must be a whole number")
            only_for = _terms(entry["only_for"], where) if "only_for" in entry else ()
            not_for = _terms(entry["not_for"], where) if "not_for" in entry else ()
            phrases = _terms(entry.get("phrases"), where)
            parsed.append(ContextRule(kind, direction, scope, phrases, only_for, not_for))
    raw = content.get("terminate")
    if not isinstance(raw, dict) or set(raw) - {"all", "clause", *CONTEXT_KINDS}:
        raise KnowledgeError(f"{path}: 'terminate' must map 'all' or a kind to words")
    terminate = {kind: _terms(words, f"{path}: terminate.{kind}") for kind, words in raw.items()}
    return tuple(parsed), terminate
