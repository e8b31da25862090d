"""Every health answer names the source passages it rests on, and each is really in that source.

The quotes in topics.yml are checked here against the source texts copied into
data/knowledge/sources/ (only whitespace may differ), by reading the files directly; the bot does
the same check when it loads the knowledge base, and a drifted quote stops it with a clear message.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeError, load_knowledge
from bot.settings import PROJECT_ROOT, Settings

KNOWLEDGE = PROJECT_ROOT / "data" / "knowledge"
STUDY = "kim-shin-2020"


def flat(text: str) -> str:
    return " ".join(text.split())


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def source_texts(knowledge: Path = KNOWLEDGE) -> dict[str, str]:
    index = load(knowledge / "sources" / "texts.yml")["texts"]
    return {
        source_id: flat((knowledge / "sources" / name).read_text(encoding="utf-8"))
        for source_id, name in index.items()
    }


TOPICS = load(KNOWLEDGE / "topics.yml")["topics"]


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic["id"])
def test_each_answer_quotes_its_sources_word_for_word(topic: dict) -> None:
    texts = source_texts()
    grounding = topic.get("grounding") or []
    assert grounding, f"{topic['id']}: no grounding quotes"
    for item in grounding:
        assert item["source"] in topic["sources"], f"{topic['id']}: {item['source']} not cited"
        assert flat(item["quote"]) in texts[item["source"]], (
            f"{topic['id']}: not in {item['source']}: {item['quote']!r}"
        )
    assert {item["source"] for item in grounding} == set(topic["sources"])


def test_every_known_source_has_its_text_copied() -> None:
    sources = {entry["id"] for entry in load(KNOWLEDGE / "sources.yml")["sources"]}
    cited = {source for topic in TOPICS for source in topic["sources"]}
    assert cited <= set(source_texts()) <= sources
    assert "59 met the inclusion criteria" in source_texts()[STUDY]


def test_answers_citing_the_study_say_what_it_cannot_tell() -> None:
    """Issue 14: it did not test any treatment, and everyone in it already had limited hips."""
    for topic in TOPICS:
        full = flat(f"{topic['answer']} {topic.get('details') or ''}")
        if STUDY in topic["sources"]:
            assert "did not test" in full, topic["id"]
        if "59 people" in full:
            assert "already had a hip that did not move back fully" in full, topic["id"]


# --- the loader refuses a knowledge base whose answers drift from their sources -----------------


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def load_copy(knowledge: Path) -> None:
    old = dict(os.environ)
    os.environ["MEND_KNOWLEDGE_DIR"] = str(knowledge)
    try:
        settings = Settings.from_env()
    finally:
        os.environ.clear()
        os.environ.update(old)
    load_knowledge(settings)


def edit_first_topic(knowledge: Path, change) -> None:
    path = knowledge / "topics.yml"
    content = load(path)
    change(content["topics"][0])
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


def test_the_real_knowledge_base_loads_with_its_grounding(knowledge_copy: Path) -> None:
    load_copy(knowledge_copy)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.pop("grounding"), "has no 'grounding'"),
        (
            lambda t: t["grounding"][0].update(
                quote=t["grounding"][0]["quote"] + " on a 0-10 scale"
            ),
            "grounding 1: quote not found in the text of",
        ),
        (lambda t: t["grounding"][0].update(source="nhs-back-pain"), "not in this topic's sources"),
        (lambda t: t["grounding"][0].pop("quote"), "missing required field 'quote'"),
        (
            lambda t: t.update(grounding=[g for g in t["grounding"] if g["source"] != STUDY]),
            "no grounding quote from cited source(s) ['kim-shin-2020']",
        ),
    ],
)
def test_a_quote_that_drifts_from_its_source_stops_the_bot(
    knowledge_copy: Path, change, message: str
) -> None:
    edit_first_topic(knowledge_copy, change)
    with pytest.raises(KnowledgeError) as error:
        load_copy(knowledge_copy)
    assert "topics.yml" in str(error.value) and TOPICS[0]["id"] in str(error.value)
    assert message in str(error.value)


def test_a_missing_source_text_is_reported(knowledge_copy: Path) -> None:
    (knowledge_copy / "sources" / "kim-shin-2020-study-facts.md").unlink()
    with pytest.raises(
        KnowledgeError, match=r"texts.yml: source 'kim-shin-2020': file .* not found"
    ):
        load_copy(knowledge_copy)
