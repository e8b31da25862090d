"""The knowledge loader: the real files load, and broken edits stop the bot with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeError, load_knowledge
from bot.settings import PROJECT_ROOT, Settings

HEALTH_INTENTS = [
    "why_check_hips",
    "hip_asymmetry",
    "lumbar_compensation",
    "study_findings",
    "how_soon",
    "best_treatments",
    "pt_for_back_pain",
]


def settings_for(knowledge_dir: Path, **env: str) -> Settings:
    import os

    old = dict(os.environ)
    os.environ.update({"MEND_KNOWLEDGE_DIR": str(knowledge_dir), **env})
    try:
        return Settings.from_env()
    finally:
        os.environ.clear()
        os.environ.update(old)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "data" / "knowledge", target)
    return target


def edit(path: Path, change) -> None:
    content = yaml.safe_load(path.read_text())
    change(content)
    path.write_text(yaml.safe_dump(content))


def test_every_health_question_has_a_cited_answer(knowledge_copy: Path) -> None:
    kb = load_knowledge(settings_for(knowledge_copy))
    assert sorted(kb.topics) == sorted(HEALTH_INTENTS)
    for topic in kb.topics.values():
        assert kb.sources_of(topic), topic.id
    study = kb.sources["kim-shin-2020"]
    assert study.doi_url == "https://doi.org/10.12659/MSM.925080"
    assert study.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/32968039/"
    assert study.pmc_url == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7523415/"


def test_answers_that_mention_the_study_say_it_shows_correlation_not_cause(
    knowledge_copy: Path,
) -> None:
    kb = load_knowledge(settings_for(knowledge_copy))
    for topic in kb.topics.values():
        if "kim-shin-2020" in topic.sources and "study" in topic.answer.lower():
            full = f"{topic.answer} {topic.details}".lower()
            assert "correlat" in full, topic.id


def test_blog_link_comes_from_the_setting(knowledge_copy: Path) -> None:
    without = load_knowledge(settings_for(knowledge_copy))
    assert without.sources["mend-blog-2023"].url is None
    url = "https://mendpt.example/blog/hip-mobility"
    with_url = load_knowledge(settings_for(knowledge_copy, MEND_BLOG_URL=url))
    assert with_url.sources["mend-blog-2023"].url == url


def test_clinic_settings_override_the_example_phone(knowledge_copy: Path) -> None:
    kb = load_knowledge(settings_for(knowledge_copy))
    assert kb.clinic.phone_is_example and "555-01" in kb.clinic.phone
    real = load_knowledge(settings_for(knowledge_copy, CLINIC_PHONE="(303) 555-0199"))
    assert real.clinic.phone == "(303) 555-0199" and not real.clinic.phone_is_example


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("topics.yml", lambda c: c["topics"][0].pop("answer"), "missing required field 'answer'"),
        ("topics.yml", lambda c: c["topics"][0].update(sources=[]), "has no sources"),
        (
            "topics.yml",
            lambda c: c["topics"][0].update(sources=["nope"]),
            "unknown source id 'nope'",
        ),
        ("topics.yml", lambda c: c["topics"][0].update(answer="word " * 200), "under 480"),
        ("topics.yml", lambda c: c["topics"].append(dict(c["topics"][0])), "listed twice"),
        ("topics.yml", lambda c: c["topics"][0].update(related=["nope"]), "unknown topic 'nope'"),
        ("sources.yml", lambda c: c["sources"][1].pop("doi"), "missing required field 'doi'"),
        ("clinic.yml", lambda c: c.pop("phone"), "missing required field 'phone'"),
    ],
)
def test_a_broken_edit_names_the_file_and_the_problem(
    knowledge_copy: Path, file: str, change, message: str
) -> None:
    edit(knowledge_copy / file, change)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(settings_for(knowledge_copy))
    assert file in str(error.value)
    assert message in str(error.value)


def test_invalid_yaml_is_reported(knowledge_copy: Path) -> None:
    (knowledge_copy / "sources.yml").write_text("sources: [unclosed")
    with pytest.raises(KnowledgeError, match="not valid YAML"):
        load_knowledge(settings_for(knowledge_copy))
