"""Builds the project's own small English spaCy pipeline (``python -m bot.nlp.pipeline``;
``make setup``, ``make train`` and ``make run`` rebuild it when the knowledge files change).

No pretrained model can be downloaded where the clinic runs the bot, so the pipeline is
``spacy.blank("en")`` plus a lookup lemmatizer (tables from ``spacy-lookups-data``) and an
EntityRuler made from the knowledge files. Rasa loads it by path (``config.yml``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler

from bot.nlp.patterns import all_patterns
from bot.settings import get_settings


def build_pipeline(knowledge_dir: Path) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = cast(
        EntityRuler,
        nlp.add_pipe(
            "entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True}
        ),
    )
    nlp.initialize()
    # EntityRuler.initialize() clears patterns, so they are added after it.
    ruler.add_patterns(all_patterns(knowledge_dir))
    nlp.meta["name"] = "mend_en"
    nlp.meta["description"] = "Mend Assistant: blank English + lookup lemmas + entity rules"
    return nlp


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=settings.spacy_model_dir)
    args = parser.parse_args()
    nlp = build_pipeline(settings.knowledge_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    ruler = cast(EntityRuler, nlp.get_pipe("entity_ruler"))
    print(f"spaCy pipeline written to {args.out} ({len(ruler)} patterns)")


if __name__ == "__main__":
    main()
