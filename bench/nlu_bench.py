"""Held-out intent figures for `make bench` (issue 10): the held-out sets, never trained on.

- tests/nlu/test_data.yml: short paraphrases of each intent
- tests/nlu/heldout_long_messy.yml: long, messy, patient-written messages (written before the
  training data for them, by someone who had not seen it)
- tests/nlu/heldout_long_messy_2.yml: a second such set, written blind before the second batch of
  patient-written training data (data/nlu/patient_written.yml)
- tests/nlu/heldout_long_messy_3.yml: a third, written blind in session 5 after all of the
  training data, while the first three had been looked at too often to be fresh
- tests/nlu/heldout_long_messy_4.yml: a fourth, written blind in session 7 before the third batch
  of patient-written training data (data/nlu/patient_written_2.yml)

Prints accuracy, macro-F1 and the number of out-of-scope messages answered as a health or clinic
topic; never the messages themselves (reading them would turn the held-out set into training).
Run alone against another model: ``python -m bench.nlu_bench --model /tmp/x/mend.tar.gz``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

from bot.knowledge import get_knowledge

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
HELD_OUT = {
    "short paraphrases": "tests/nlu/test_data.yml",
    "long and messy": "tests/nlu/heldout_long_messy.yml",
    "long and messy, second set": "tests/nlu/heldout_long_messy_2.yml",
    "long and messy, third set": "tests/nlu/heldout_long_messy_3.yml",
    "long and messy, fourth set": "tests/nlu/heldout_long_messy_4.yml",
}
# Answers a patient would take as the bot's view on their health or the clinic.
TOPICAL = set(get_knowledge().topics) | {
    "ask_sources",
    "clinic_locations",
    "book_appointment",
    "manage_appointment",
    "diagnosis_request",
}


def score(data: str, model: str) -> dict[str, float]:
    """Accuracy, macro-F1, examples and out-of-scope-answered-as-topic for one held-out file."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [RASA, "test", "nlu", "--nlu", data, "--model", model, "--out", out],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        )
        report = json.loads((Path(out) / "intent_report.json").read_text())
        errors_file = Path(out) / "intent_errors.json"
        errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    out_of_scope_as_topic = sum(
        1
        for error in errors
        if error.get("intent") == "out_of_scope"
        and (error.get("intent_prediction") or {}).get("name") in TOPICAL
    )
    return {
        "accuracy": report["accuracy"],
        "macro_f1": report["macro avg"]["f1-score"],
        "examples": report["macro avg"]["support"],
        "out_of_scope_as_topic": out_of_scope_as_topic,
    }


def held_out_scores(model: str = "models/mend.tar.gz") -> None:
    for name, data in HELD_OUT.items():
        print(f"\n== NLU on the held-out set, {name} ({data})", flush=True)
        if not (PROJECT_ROOT / data).exists():
            print("(not present)")
            continue
        figures = score(data, model)
        print(f"intent accuracy: {figures['accuracy']:.3f}")
        print(f"intent macro-F1: {figures['macro_f1']:.3f}")
        print(f"examples: {figures['examples']}")
        print(
            f"out-of-scope answered as a health or clinic topic: {figures['out_of_scope_as_topic']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/mend.tar.gz")
    held_out_scores(parser.parse_args().model)


if __name__ == "__main__":
    main()
