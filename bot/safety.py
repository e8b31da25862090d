"""Red-flag labels for the emergency reply (the matching itself is the EntityRuler's job)."""

from __future__ import annotations

from functools import lru_cache

from bot.nlp.patterns import red_flag_labels
from bot.settings import get_settings


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    return red_flag_labels(get_settings().knowledge_dir / "red_flags.yml")


def red_flag_label(flag: str | None) -> str | None:
    """The patient-facing label for a red-flag id or matched phrase, if known."""
    if not flag:
        return None
    labels = _labels()
    if flag in labels:
        return labels[flag]
    return None
