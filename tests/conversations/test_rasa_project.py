"""Rasa's own checks on the project: the data validates and every conversation test passes.

These run Rasa's command line on the trained model (``make test`` trains it first), so a
conversation test that fails shows up as a failing pytest test with the failed story attached.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.settings import PROJECT_ROOT

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
MODEL = PROJECT_ROOT / "models" / "mend.tar.gz"


def run_rasa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RASA, *args],
        check=False,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_training_data_and_domain_validate() -> None:
    result = run_rasa("data", "validate", "--quiet")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_every_conversation_story_passes(tmp_path: Path) -> None:
    assert MODEL.exists(), "train first: make train"
    result = run_rasa(
        "test",
        "core",
        "--stories",
        "tests/conversations/test_stories.yml",
        "--model",
        str(MODEL),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = (tmp_path / "failed_test_stories.yml").read_text()
    assert result.returncode == 0 and "None of the test stories failed" in failed, failed
