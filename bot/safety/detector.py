"""Finds the red flags in a message and decides, for each, whether it is this person's, now.

Layers, each testable on its own:
1. ``normalise`` brings the text to one spelling (curly quotes, "cnt", typos of key terms).
2. Matching (spaCy's Matcher and PhraseMatcher): phrases, a symptom word *near* a body-site word,
   a set of concepts all present (a fall AND osteoporosis), and measures (a temperature of
   100.4 °F / 38 °C or more, an age of 70 or more).
3. Context with medspaCy's ConText, the clinical-NLP implementation of the NegEx/ConText algorithm,
   run with the patients' own words from ``red_flag_context.yml`` rather than its clinical-note
   defaults ("denies", "r/o"): a red flag that is denied ("no fever"), someone else's ("my son has
   a fever") or long past and resolved ("a crash years ago, fully healed") becomes a *mention*.
   ConText was chosen over negspacy because it also knows who (experiencer) and when (historical),
   not only negation. Uncertain mentions ("I might have a fever") deliberately count as present.

A trained second opinion (the intent classifier) is combined with this in ``guard.py``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import spacy
from medspacy.context import ConText, ConTextRule
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from bot.safety.classifier import (
    NONE,
    Opinion,
    RedFlagClassifier,
    cached_classifier,
    load_examples,
    load_nlu_examples,
)
from bot.safety.normalise import normalise
from bot.safety.rules import Near, RedFlag, SafetyRules, load_safety_rules
from bot.settings import get_settings

SPAN_GROUP = "red_flags"
# The fitted classifier, kept between starts (build/ is the project's own, like the spaCy pipeline).
CLASSIFIER_CACHE = Path(__file__).resolve().parents[2] / "build" / "safety"
DENIAL_WORDS = {"no", "not", "never", "without", "none", "nothing", "zero"}
FIRST_PERSON = {"me", "my", "mine", "myself"}
# Someone writing for the patient ("writing on behalf of my dad, he's the patient"): the red flags
# they pass on are the patient's, so urgent, not someone else's.
PROXY = re.compile(
    r"\b(?:on behalf of|(?:he|she) is the patient|(?:for|to) (?:him|her) as (?:he|she)"
    r"|asked me to (?:message|text|write|tell|contact|email)"
    r"|(?:writing|texting|messaging) for (?:my|him|her))\b"
)
CONCEPT_MARK = "#"  # "minor_fall_fragile#1": a span of one concept of a red flag that needs all
# A denied list's items ("no fever, chills or sweats"): what joins them, what ends the list.
LIST_OR = {"or", "nor"}
LIST_FILLERS = LIST_OR | {",", "/", "any", "a", "an", "the", "of", "in", "or any"}
LIST_REACH = 12
PRESENT = "present"
CONTEXT_STATUS = {
    "DENIED": "denied",
    "SOMEONE_ELSE": "someone_else",
    "LONG_PAST": "long_past",
    "NOT_LITERAL": "not_literal",
}
DENIED = CONTEXT_STATUS["DENIED"]

_TEMPERATURE = re.compile(r"(?<![\d.])(\d{2,3}(?:\.\d{1,2})?)\s*(?:°|º|degrees?|deg)?\s*(f|c)?\b")
_TEMPERATURE_WORDS = re.compile(
    r"\b(temp|temperature|fever|feverish|thermometer|running|degrees?)\b|°"
)
_AGE = re.compile(
    r"\b(?:i am|i'm|aged?|age of|turned|turning|at)\s+(\d{2,3})\b"
    r"(?!\s*(?:kg|kilos?|lbs?|pounds|%|percent|degrees|°|am|pm|mph|minutes|hours|days|weeks))"
    r"|\b(\d{2,3})[\s-]*(?:years?[\s-]old|yrs?[\s-]old|years of age|y/?o)\b"
)


@dataclass(frozen=True)
class Finding:
    flag: RedFlag
    status: str  # "present", "denied", "someone_else" or "long_past"


@dataclass(frozen=True)
class Assessment:
    """What the safety net made of one message: the patterns' findings, the classifier's opinion."""

    findings: tuple[Finding, ...] = ()
    opinion: Opinion | None = None

    @property
    def present(self) -> tuple[RedFlag, ...]:
        """This person's red flags, highest tier first."""
        flags = [f.flag for f in self.findings if f.status == PRESENT]
        return tuple(sorted(flags, key=lambda flag: flag.tier))

    @property
    def mentioned(self) -> tuple[RedFlag, ...]:
        """Red flags named but denied, someone else's, or long past."""
        present = {flag.id for flag in self.present}
        flags = {f.flag.id: f.flag for f in self.findings if f.flag.id not in present}
        return tuple(sorted(flags.values(), key=lambda flag: flag.tier))

    @property
    def tier(self) -> int | None:
        """The highest urgency heard (1 is the most urgent), or None."""
        return self.present[0].tier if self.present else None


class RedFlagDetector:
    """Compiled once per process from the safety rules; ``assess`` is pure and thread-safe."""

    def __init__(self, rules: SafetyRules, classifier: RedFlagClassifier | None = None) -> None:
        self.rules = rules
        self.classifier = classifier
        self.vocabulary = rules.vocabulary
        self.nlp = _blank_english()
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._near = NearMatcher(self.nlp.vocab)
        self._concepts = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._own_denials = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for flag in rules.flags:
            self._add_flag(flag)
        self._context = _context_component(self.nlp, rules)

    def assess(self, text: str) -> Assessment:
        doc = self.nlp(normalise(text, self.vocabulary))
        spans = self._spans(doc)
        doc.spans[SPAN_GROUP] = spans
        with warnings.catch_warnings():
            # medspaCy warns that one of its two matchers has no patterns (the token one).
            warnings.filterwarnings("ignore", message=r"\[W036\]")
            self._context(doc)
        status = self._judge(doc, spans)
        findings = tuple(Finding(self.rules.flag(i), s) for i, s in status.items())
        return Assessment(findings, self._opinion(text, doc))

    def _opinion(self, text: str, doc: Doc) -> Opinion | None:
        """The classifier's opinion, on the message as written and without its idioms, whichever
        is lower: "a crash course", "sick and tired of" or "on my last legs" is no more a red flag
        for the second opinion than for the patterns, while a context word that lowered it
        ("peed myself laughing") keeps doing so. The patterns stay the floor either way."""
        if self.classifier is None:
            return None
        opinion = self.classifier.opinion(text)
        plain = _without_idioms(doc)
        if plain == doc.text:
            return opinion
        return min(opinion, self.classifier.opinion(plain), key=lambda o: o.probability)

    def _judge(self, doc: Doc, spans: list[Span]) -> dict[str, str]:
        """Each red flag heard: present if any of its spans is, else why not (left to right, so
        a denied list's later items can follow its first)."""
        own = {(doc.vocab.strings[k], i) for k, a, b in self._own_denials(doc) for i in range(a, b)}
        modifiers = doc._.context_graph.modifiers
        denials = [m for m in modifiers if m.category == "DENIED"]
        overlapping = [m for m in modifiers if m.category in ("NOT_LITERAL", "SOMEONE_ELSE")]
        denied_tokens = {i for m in denials for i in range(*m.modifier_span)}
        in_spans = {i for span in spans for i in range(span.start, span.end)}
        status: dict[str, str] = {}
        proxy = bool(PROXY.search(doc.text))
        concepts: dict[str, str] = {}  # "flag#index": present, or why not
        for span in spans:
            flag = self.rules.flag(span.label_.split(CONCEPT_MARK)[0])
            span_status = _status(span, flag, denials, own, overlapping, proxy)
            if span_status == PRESENT and _continues_denied_list(
                doc, span, in_spans, denied_tokens, own
            ):
                span_status = DENIED
            if span_status == DENIED:
                denied_tokens.update(range(span.start, span.end))
            found = concepts if CONCEPT_MARK in span.label_ else status
            if found.get(span.label_) != PRESENT:
                found[span.label_] = span_status
        for flag in self.rules.flags:
            keys = [f"{flag.id}{CONCEPT_MARK}{i}" for i in range(len(flag.all_of))]
            if keys and all(key in concepts for key in keys):
                # present only if every concept is; else why the first one that is not
                groups = [concepts[key] for key in keys]
                status[flag.id] = next((g for g in groups if g != PRESENT), PRESENT)
        return status

    # ---- matching ----
    def _add_flag(self, flag: RedFlag) -> None:
        if flag.phrases:
            self._phrases.add(flag.id, self._term_docs(flag.phrases))
        own = [t for t in _all_terms(flag) if DENIAL_WORDS & set(normalise(t).split())]
        if own:
            self._own_denials.add(flag.id, self._term_docs(own))
        for near in flag.near:
            self._near.add(flag.id, near, self._term_docs(near.a), self._term_docs(near.b))
        for index, group in enumerate(flag.all_of):
            words = [w for w in group if not w.startswith("@")]
            if words:
                self._concepts.add(f"{flag.id}{CONCEPT_MARK}{index}", self._term_docs(words))

    def _term_docs(self, terms: Iterable[str]) -> list[Doc]:
        """Terms spelt as messages are after ``normalise`` ("doesn't" -> "do not")."""
        return [self.nlp.make_doc(normalise(term)) for term in terms]

    def _spans(self, doc: Doc) -> list[Span]:
        spans = [
            Span(doc, start, end, label=doc.vocab.strings[key])
            for key, start, end in self._phrases(doc)
        ]
        spans += [Span(doc, start, end, label=flag_id) for flag_id, start, end in self._near(doc)]
        # For a red flag that needs several concepts (a fall AND weak bones), every word of each
        # concept is its own span, labelled "flag#concept": context judges each ("I don't have
        # osteoporosis, and I fell" has a fall but no weak bones), and _judge joins them.
        spans += [
            Span(doc, start, end, label=doc.vocab.strings[key])
            for key, start, end in self._concepts(doc)
        ]
        measured = _measures(doc)
        for flag in self.rules.flags:
            spans += [
                Span(doc, s.start, s.end, label=flag.id)
                for m in flag.measures
                for s in measured.get(m, [])
            ]
            for index, group in enumerate(flag.all_of):
                label = f"{flag.id}{CONCEPT_MARK}{index}"
                for measure in (w[1:] for w in group if w.startswith("@")):
                    found = measured.get(measure, [])
                    spans += [Span(doc, s.start, s.end, label=label) for s in found]
        return _longest_per_label(spans)


def _status(
    span: Span,
    flag: RedFlag,
    denials: list,
    own: set[tuple[str, int]],
    overlapping: list,
    proxy: bool = False,
) -> str:
    """present, or why not. Besides ConText's verdict, a denial that overlaps the red flag's words
    counts ("do not have a temperature", "legs are not giving way") unless it is one of the red
    flag's own words ("can not pee", "no feeling down there"), and so do an idiom built on them
    ("a lump sum", "numb to the pain") and someone else's body in them ("the dog's back legs gave
    out"): medspaCy leaves overlaps out."""
    kinds = {modifier.category for modifier in span._.modifiers} & set(CONTEXT_STATUS)
    # Overlaps are checked here, so each rule's only_for / not_for is too ("slipped disc" denies a
    # lump, not the numbness in the same words).
    label = flag.id.upper()
    kinds |= {m.category for m in overlapping if _overlaps(span, m) and m.allows(label)}
    for modifier in denials:
        start, end = modifier.modifier_span
        if not (_overlaps(span, modifier) and modifier.allows(label)):
            continue
        if not any((flag.id, i) in own for i in range(start, end)):
            kinds.add("DENIED")
    if flag.historical_counts:
        kinds.discard("LONG_PAST")
    if proxy or FIRST_PERSON & {token.lower_ for token in span}:
        kinds.discard("SOMEONE_ELSE")  # "my husband says the lump on my back is bigger"
    for category in ("SOMEONE_ELSE", "DENIED", "LONG_PAST", "NOT_LITERAL"):
        if category in kinds:
            return CONTEXT_STATUS[category]
    return PRESENT


def _continues_denied_list(
    doc: Doc, span: Span, in_spans: set[int], denied_tokens: set[int], own: set[tuple[str, int]]
) -> bool:
    """Whether ``span`` is a later item of a denied list: "I have not had a fever, chills or night
    sweats" (medspaCy's scope ends at the comma, as it must for "no fever, numb groin"). Only a
    list of red flags written with "or" counts: "no fever, chills and sweats", "no fever, can not
    pee or poop" and "doesn't change with moving or resting" are not read as denied."""
    if any((span.label_, i) in own for i in range(span.start, span.end)):
        return False
    if {token.lower_ for token in span} & (DENIAL_WORDS | {"can", "could", "unable"}):
        return False
    saw_or = span.end < len(doc) and doc[span.end].lower_ in LIST_OR
    for i in range(span.start - 1, max(-1, span.start - LIST_REACH), -1):
        if i in denied_tokens:
            return saw_or
        word = doc[i].lower_
        if (i not in in_spans and word not in LIST_FILLERS) or doc[i].is_sent_start:
            return False
        saw_or = saw_or or word in LIST_OR
    return False


def _without_idioms(doc: Doc) -> str:
    """The (normalised) message without the words ConText marked as not literal."""
    idiom = {
        i
        for modifier in doc._.context_graph.modifiers
        if modifier.category == "NOT_LITERAL"
        for i in range(*modifier.modifier_span)
    }
    if not idiom:
        return doc.text
    return "".join(token.text_with_ws for token in doc if token.i not in idiom)


def _overlaps(span: Span, modifier) -> bool:
    start, end = modifier.modifier_span
    return start < span.end and end > span.start


def _all_terms(flag: RedFlag) -> list[str]:
    terms = [*flag.phrases, *(w for group in flag.all_of for w in group if not w.startswith("@"))]
    for near in flag.near:
        terms += [*near.a, *near.b]
    return terms


class NearMatcher:
    """Red flags written as "a within N words of b" (both orders unless the rule is ordered).

    One PhraseMatcher finds every a and b term and the pairs are joined here. spaCy's Matcher
    with N optional wildcard tokens between the terms did the same with 8,500 patterns: 5 ms of
    every message and 5 s of every start.
    """

    def __init__(self, vocab) -> None:
        self._terms = PhraseMatcher(vocab, attr="LOWER")
        self._rules: list[tuple[str, Near]] = []

    def add(self, flag_id: str, near: Near, a: list[Doc], b: list[Doc]) -> None:
        index = len(self._rules)
        self._rules.append((flag_id, near))
        self._terms.add(f"{index}:a", a)
        self._terms.add(f"{index}:b", b)

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Each pair as (red flag id, first term's start, second term's end)."""
        found: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in self._terms(doc):
            found.setdefault(doc.vocab.strings[key], []).append((start, end))
        matches = []
        for index, (flag_id, near) in enumerate(self._rules):
            a, b = found.get(f"{index}:a"), found.get(f"{index}:b")
            if not a or not b:
                continue
            for first, second in ((a, b),) if near.ordered else ((a, b), (b, a)):
                matches += [
                    (flag_id, start, second_end)
                    for start, end in first
                    for second_start, second_end in second
                    if 0 <= second_start - end <= near.within
                ]
        return matches


def _measures(doc: Doc) -> dict[str, list[Span]]:
    """Spans of a high temperature and of an age of 70 or more, read from the numbers."""
    text = doc.text
    found: dict[str, list[Span]] = {"high_temperature": [], "age_70_plus": []}
    has_context = bool(_TEMPERATURE_WORDS.search(text))
    for match in _TEMPERATURE.finditer(text):
        value, unit = float(match.group(1)), match.group(2)
        if has_context or unit or "°" in match.group(0):
            fahrenheit = unit == "f" or (unit is None and 100.4 <= value <= 110)
            celsius = unit == "c" or (unit is None and 38.0 <= value <= 43)
            if (fahrenheit and 100.4 <= value <= 110) or (celsius and 38.0 <= value <= 43):
                _add_span(doc, found["high_temperature"], match)
    for match in _AGE.finditer(text):
        age = int(match.group(1) or match.group(2))
        if 70 <= age <= 120:
            _add_span(doc, found["age_70_plus"], match)
    return found


def _add_span(doc: Doc, spans: list[Span], match: re.Match) -> None:
    span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
    if span is not None:
        spans.append(span)


def _longest_per_label(spans: list[Span]) -> list[Span]:
    """Drop a span inside a longer one of the same red flag (so each is judged once)."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: s.end - s.start, reverse=True):
        if not any(
            k.label == span.label and k.start <= span.start and span.end <= k.end for k in kept
        ):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _blank_english() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!"]})
    return nlp


def _context_component(nlp: Language, rules: SafetyRules) -> ConText:
    context = ConText(
        nlp, rules=None, span_attrs=None, input_span_type="group", span_group_name=SPAN_GROUP
    )
    context_rules = [
        ConTextRule(
            phrase,
            rule.kind.upper(),
            direction=rule.direction,
            max_scope=rule.max_scope,
            # Denials inside the red flag's words are judged in _status; who and when apply.
            on_modifies=_outside_target if rule.kind == "denied" else None,
            terminated_by=_ends(rule),
            allowed_types={flag_id.upper() for flag_id in rule.only_for} or None,
            excluded_types={flag_id.upper() for flag_id in rule.not_for} or None,
        )
        for rule in rules.context
        for phrase in rule.phrases
    ]
    # A year two or more years back ("fell off a ladder in 2009") is long past.
    past_years = "|".join(str(year) for year in range(1940, date.today().year - 1))
    context_rules.append(
        ConTextRule(
            "a past year",
            "LONG_PAST",
            pattern=[{"TEXT": {"REGEX": f"^({past_years})$"}}],
            direction="BIDIRECTIONAL",
            max_scope=10,
        )
    )
    # An age then, or a child's age now: "fell off a ladder when I was 19"; "my 10 year old has a
    # fever" (numbers, so token patterns rather than phrases).
    hyphen = {"TEXT": "-", "OP": "?"}
    context_rules += [
        ConTextRule(
            "when i was <age>",
            "LONG_PAST",
            pattern=[{"LOWER": "when"}, {"LOWER": "i"}, {"LOWER": "was"}, {"LIKE_NUM": True}],
            direction="BIDIRECTIONAL",
            max_scope=10,
        ),
        ConTextRule(
            "my <age> year old",
            "SOMEONE_ELSE",
            pattern=[
                {"LOWER": {"IN": ["my", "our"]}},
                {"LIKE_NUM": True},
                hyphen,
                {"LOWER": {"IN": ["year", "years", "yr", "yrs"]}},
                hyphen,
                {"LOWER": "old"},
            ],
            direction="FORWARD",
            max_scope=12,
        ),
    ]
    # A small scope: medspaCy only limits other scopes that overlap it partly, not wholly.
    context_rules += [
        ConTextRule(phrase, "TERMINATE", direction="TERMINATE", max_scope=1)
        if kind == "all"
        else ConTextRule(phrase, f"END_{kind.upper()}", direction="PSEUDO", max_scope=1)
        for kind, phrases in rules.terminate.items()
        for phrase in phrases
    ]
    context.add(context_rules)
    return context


def _ends(rule) -> set[str]:
    """What ends a forward rule's reach: its kind's own words, and for a denial or someone else's
    red flag the end of the clause (a comma). Backward rules ("..., the answer is no") reach
    back."""
    if rule.direction == "BACKWARD":
        return set()
    ends = {f"END_{rule.kind.upper()}"}
    return ends | {"END_CLAUSE"} if rule.kind in ("denied", "someone_else") else ends


def _outside_target(target: Span, modifier: Span, _between: Span) -> bool:
    """A word inside the red flag's own words ("can not pee") does not deny it.

    medspaCy only checks partial overlaps, not a modifier wholly inside the target.
    """
    return not (target.start <= modifier.start and modifier.end <= target.end)


@lru_cache(maxsize=1)
def get_detector() -> RedFlagDetector:
    """Patterns from ``data/knowledge/``; the classifier trained on the ``data/safety/`` examples
    and, as messages that are not red flags, the intent examples of ``data/nlu/``."""
    knowledge_dir = get_settings().knowledge_dir
    rules = load_safety_rules(
        knowledge_dir / "red_flags.yml", knowledge_dir / "red_flag_context.yml"
    )
    texts, labels = load_examples(
        knowledge_dir.parent / "safety", {flag.id for flag in rules.flags}
    )
    ordinary = load_nlu_examples(knowledge_dir.parent / "nlu", {"emergency_symptoms"})
    texts, labels = texts + ordinary, labels + [NONE] * len(ordinary)
    tiers = {flag.id: flag.tier for flag in rules.flags}
    classifier = cached_classifier(texts, labels, rules.vocabulary, tiers, CLASSIFIER_CACHE)
    return RedFlagDetector(rules, classifier)


@lru_cache(maxsize=1024)
def assess(text: str) -> Assessment:
    """The safety net's verdict on one message (the process-wide detector, built on first use).

    Cached: the REST queue (``bot/channels/overload.py``) and the NLU guard both ask about the
    same message, and the verdict is a pure function of the text.
    """
    return get_detector().assess(text)
