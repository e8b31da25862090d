"""The trained second opinion: it hears red flags in words no pattern lists, and knows "none"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError
from bot.safety.classifier import RedFlagClassifier, load_examples
from bot.safety.detector import get_detector


@pytest.fixture(scope="module")
def classifier() -> RedFlagClassifier:
    return get_detector().classifier


def test_it_is_trained_on_every_red_flag_and_on_none(classifier) -> None:
    ids = {flag.id for flag in get_detector().rules.flags}
    assert set(classifier.labels) == ids | {"none"}


@pytest.mark.parametrize(
    "text",
    [
        # Worded unlike any pattern (written for this test, not taken from the data).
        "since the weekend my waterworks have stopped working properly and my back is sore",
        "everything below my belt feels like it belongs to somebody else",
    ],
)
def test_an_unlisted_phrasing_gets_a_high_probability(classifier, text: str) -> None:
    assert classifier.opinion(text).probability >= 0.7


@pytest.mark.parametrize(
    "text",
    [
        "why do you check my hips when my back hurts",
        "can I book Tuesday morning in Boulder",
        "no fever and nothing like that, just stiff",
    ],
)
def test_ordinary_and_denied_messages_get_a_low_probability(classifier, text: str) -> None:
    assert classifier.opinion(text).probability < 0.5


def test_a_bad_label_in_the_examples_is_reported_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text("examples:\n  - text: hi\n    label: nonsense\n")
    with pytest.raises(KnowledgeError, match=r"x\.yml: example 1: unknown label 'nonsense'"):
        load_examples(tmp_path, {"fever"})


@pytest.mark.parametrize(
    "text",
    [
        # Plain back pain, as patients open a chat: never urgent advice (written for this test).
        "my back hurts",
        "back pain",
        "low back pain",
        "Lower back pain for 3 weeks",
        "my back is killing me",
        "back ache since Monday",
        "sore stiff lower back since yesterday morning",
    ],
)
def test_plain_back_pain_is_not_a_red_flag(text: str) -> None:
    """The red-flag examples nearly all mention back pain, so the classifier once gave these 0.99
    and a patient typing "my back hurts" got 911 advice; it now gives them no opinion."""
    from tests.safety.test_heldout import escalates

    assert get_detector().classifier.opinion(text).probability < 0.5
    assert not escalates(text)


def test_back_pain_with_a_red_flag_still_escalates() -> None:
    from tests.safety.test_heldout import escalates

    assert escalates("my back hurts and since this morning I cant pee")
    assert escalates("back pain and my privates feel numb")


def test_no_blind_test_message_is_a_training_example() -> None:
    """The held-out and dev sets measure the classifier: none of their messages may be in
    ``data/safety/`` (a copied message would be caught because it was learnt, not understood)."""
    from tests.safety.test_heldout import load

    def key(text: str) -> str:
        return " ".join(text.lower().split())

    here = Path(__file__).parent
    flags = {flag.id for flag in get_detector().rules.flags}
    texts, _ = load_examples(here.parents[1] / "data" / "safety", flags)
    training = {key(text) for text in texts}
    sets = sorted(path.name for path in here.glob("*red_flags.yml"))
    assert len(sets) == 15
    for name in sets:
        content = load(name)
        messages = content["red_flags"] + content["not_red_flags"]
        leaked = [m["text"] for m in messages if key(m["text"]) in training]
        assert not leaked, f"{name}: {leaked}"


def test_the_fitted_classifier_is_reused_until_its_examples_change(tmp_path) -> None:
    """Each Rasa server start reads the fitted classifier instead of fitting it again; a changed
    example is a new fit, never a stale model."""
    from bot.safety.classifier import cached_classifier

    texts = ["i can not pee since monday", "my groin is numb", "book me in", "hello there"]
    labels = ["urinary_retention", "saddle_numbness", "none", "none"]
    tiers = {"urinary_retention": 1, "saddle_numbness": 1}
    first = cached_classifier(texts, labels, frozenset(), tiers, tmp_path)
    again = cached_classifier(texts, labels, frozenset(), tiers, tmp_path)
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    message = "numb groin and can not pee"
    assert again.opinion(message) == first.opinion(message)
    cached_classifier([*texts, "no fever"], [*labels, "none"], frozenset(), tiers, tmp_path)
    assert len(list(tmp_path.glob("*.pickle"))) == 2
