"""Benchmark (issue 14): the reading grade of every patient-facing text the clinic keeps as data.

Prints each text's Flesch-Kincaid grade (textstat 0.7.3), its length, and where to edit it, then
the average of the health answers. tests/content/test_readability.py holds the limits (8 for any
text, 7 on average for the health answers); this only shows the figures. Usage:
    .venv/bin/python bench/readability_bench.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.content.texts import patient_texts

MAX_GRADE = 8.0


def print_grades() -> None:
    """One line per text, the highest grades easy to spot, and the health answers' average."""
    print("\n== Reading grade of each patient-facing text (Flesch-Kincaid, textstat)", flush=True)
    texts = patient_texts()
    print(f"{'grade':>5}  {'chars':>5}  where")
    for text in texts:
        flag = "  <- over 8" if text.grade > MAX_GRADE else ""
        print(f"{text.grade:5.1f}  {len(text.text):5d}  {text.where}{flag}")
    health = [text.grade for text in texts if text.health]
    print(f"health answers: average grade {sum(health) / len(health):.1f} over {len(health)} texts")
    print(f"texts over grade {MAX_GRADE:g}: {sum(text.grade > MAX_GRADE for text in texts)}")


if __name__ == "__main__":
    print_grades()
