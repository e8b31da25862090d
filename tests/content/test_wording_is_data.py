"""Patient-facing wording is data (domain.yml responses, data/knowledge/messages.yml), not code.

The clinic edits what the bot says without touching Python, and the readability test measures
every text (tests/content/texts.py), only if no sentence hides in a string literal. So a sentence
in the code the patient talks to fails here; and a broken edit of messages.yml stops the bot at
start-up with the file and the field named, not at a patient's turn.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import MESSAGE_FIELDS, KnowledgeError, load_knowledge, load_messages
from bot.settings import PROJECT_ROOT, Settings

MESSAGES = PROJECT_ROOT / "data" / "knowledge" / "messages.yml"
DOMAIN = PROJECT_ROOT / "domain.yml"

# The code that writes what a patient reads.
PATIENT_CODE = sorted(
    {
        *PROJECT_ROOT.glob("actions/*.py"),
        *PROJECT_ROOT.glob("bot/channels/*.py"),
        *PROJECT_ROOT.glob("bot/booking/**/*.py"),
        *PROJECT_ROOT.glob("bot/sms/*.py"),
        PROJECT_ROOT / "bot" / "replies.py",
        PROJECT_ROOT / "bot" / "citations.py",
    }
    # What staff receive about a request (email and webhook), not what the patient reads.
    - {PROJECT_ROOT / "bot" / "booking" / "notify" / "messages.py"}
)
# Sentences in that code no patient reads: (file, text).
ALLOWED = {
    ("bot/sms/channel.py", "From and MessageSid are required"),  # a 400 to Twilio
}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
# Four or more words, starting with a capital letter: "Which clinic would you prefer?".
SENTENCE = re.compile(r"^[A-Z][\w']*(?:\s+\S+){3,}")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _in_log_calls(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOG_METHODS
        ):
            found.update(id(inner) for inner in ast.walk(node))
    return found


def _in_operator_errors(tree: ast.AST) -> set[int]:
    """Errors raised for whoever runs the bot (a bad setting), not the re-asks a patient reads
    (:class:`bot.booking.contact.ContactError`)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            call = node.exc
            name = getattr(getattr(call, "func", None), "id", None)
            if name != "ContactError":
                found.update(id(inner) for inner in ast.walk(call))
    return found


def sentences_in(source: str) -> list[str]:
    """String literals (f-strings with their {} holes) that read as a sentence, outside
    docstrings, log calls and errors for operators."""
    tree = ast.parse(source)
    skipped = _docstrings(tree) | _in_log_calls(tree) | _in_operator_errors(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if SENTENCE.match(text.strip()):
            found.append(text.strip())
    return found


def test_the_check_finds_a_sentence_and_skips_docstrings_and_logs() -> None:
    source = '''
"""Module docstring with many words in it."""
import logging
logger = logging.getLogger(__name__)
def ask(name):
    """Docstring with many words in it."""
    logger.warning("Log message with many words %s", name)
    if not name:
        raise ValueError("Setting NAME must be set for this")
    if name == "?":
        raise ContactError("That phone number has letters in it.")
    return f"Which clinic would you prefer, {name}?"
'''
    assert sorted(sentences_in(source)) == [
        "That phone number has letters in it.",
        "Which clinic would you prefer, {}?",
    ]


@pytest.mark.parametrize("path", PATIENT_CODE, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_no_patient_facing_sentence_in_code(path: Path) -> None:
    where = str(path.relative_to(PROJECT_ROOT))
    found = [
        text
        for text in sentences_in(path.read_text(encoding="utf-8"))
        if (where, text) not in ALLOWED
    ]
    assert not found, (
        f"{where} has patient-facing text in code: {found}. Put it in a domain.yml response or "
        "data/knowledge/messages.yml (see MESSAGE_FIELDS in bot/knowledge.py)."
    )


def test_the_allow_list_names_only_sentences_still_there() -> None:
    for where, text in ALLOWED:
        assert text in sentences_in((PROJECT_ROOT / where).read_text(encoding="utf-8")), where


def test_every_response_the_code_names_is_in_the_domain() -> None:
    """The actions and the booking flow say responses by name: a typo would say nothing."""
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    named = {
        name
        for path in [*PROJECT_ROOT.glob("actions/*.py"), PROJECT_ROOT / "bot/booking/flow.py"]
        for name in re.findall(r"[\"'](utter_\w+)[\"']", path.read_text(encoding="utf-8"))
    }
    assert "utter_ask_booking_contact_sms" in named
    assert named - set(responses) == set()


# --- messages.yml is checked when it loads ---------------------------------------------------


def test_the_real_file_has_every_field() -> None:
    messages = load_messages(MESSAGES)
    assert set(messages.texts) == set(MESSAGE_FIELDS)
    assert messages.text("channels.too_long", length=5200, limit=2000) == (
        "That message is too long for me (5,200 characters). Please ask your question in a "
        "sentence or two (under 2,000 characters)."
    )


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "messages.yml"
    text = MESSAGES.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_missing_field_is_reported_with_the_file_and_the_field(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  name_missing:", "  name_mising:")
    with pytest.raises(KnowledgeError) as error:
        load_messages(path)
    assert str(path) in str(error.value)
    assert "missing required field 'booking.name_missing'" in str(error.value)


def test_an_unknown_placeholder_is_reported_with_the_placeholders_allowed(tmp_path: Path) -> None:
    path = _broken(tmp_path, "({domain}) needs a dot", "({domian}) needs a dot")
    with pytest.raises(KnowledgeError) as error:
        load_messages(path)
    assert str(path) in str(error.value)
    assert "contact.domain_no_dot uses unknown placeholder(s) ['domian']" in str(error.value)
    assert "['domain']" in str(error.value)


def test_a_stray_brace_is_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, '"Please choose {names}."', '"Please choose {names."')
    with pytest.raises(KnowledgeError, match=r"messages.yml: booking.location_unknown"):
        load_messages(path)


def test_a_broken_messages_file_stops_the_knowledge_base_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up loads the knowledge base: a broken messages.yml stops the bot there."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(MESSAGES.parent, knowledge)
    (knowledge / "messages.yml").write_text("channels:\n  sorry: Sorry.\n", encoding="utf-8")
    monkeypatch.setenv("MEND_KNOWLEDGE_DIR", str(knowledge))
    settings = Settings.from_env()
    with pytest.raises(KnowledgeError, match=r"messages.yml: missing required field"):
        load_knowledge(settings)
