"""The NLU held-out sets stay held out: none of their messages is in the training data.

A held-out message copied into data/nlu/ (by a writer, a merge or a staff correction export)
would make `make bench`'s accuracy figures quietly optimistic.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = sorted((PROJECT_ROOT / "tests" / "nlu").glob("*.yml"))
TRAINING = sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml"))


def examples(path: Path) -> list[tuple[str, str]]:
    """(intent, message) pairs of a Rasa NLU file, read by Rasa itself."""
    data = load_data(str(path))
    return [(message.get("intent"), message.get("text")) for message in data.intent_examples]


def key(message: str) -> str:
    return " ".join(message.lower().split())


def test_there_are_five_held_out_sets_of_a_useful_size() -> None:
    sizes = {path.name: len(examples(path)) for path in HELD_OUT}
    assert sizes.keys() >= {
        "test_data.yml",
        "heldout_long_messy.yml",
        "heldout_long_messy_2.yml",
        "heldout_long_messy_3.yml",
        "heldout_long_messy_4.yml",
    }
    assert all(size >= 150 for size in sizes.values()), sizes


@pytest.mark.parametrize("held_out", HELD_OUT, ids=lambda path: path.name)
def test_no_held_out_message_is_in_the_training_data(held_out: Path) -> None:
    trained = {key(message) for path in TRAINING for _, message in examples(path)}
    leaked = [message for _, message in examples(held_out) if key(message) in trained]
    assert not leaked, f"{len(leaked)} held-out messages of {held_out.name} are in data/nlu/"
