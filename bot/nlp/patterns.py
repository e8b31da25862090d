"""Entity patterns for the spaCy EntityRuler, made from the knowledge files.

Three labels: ``red_flag`` (with the red flag's id as the entity id, from ``red_flags.yml``),
``clinic_location`` (from ``clinic.yml``) and ``body_part`` (a fixed list of lay terms).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.knowledge import KnowledgeError

RED_FLAG = "red_flag"
CLINIC_LOCATION = "clinic_location"
BODY_PART = "body_part"

BODY_PARTS = {
    "lower_back": ["lower back", "low back", "lumbar", "lumbar spine", "back", "spine", "tailbone"],
    "hip": ["hip", "hips", "hip flexor", "hip flexors", "pelvis", "glutes", "butt"],
    "leg": ["leg", "legs", "thigh", "thighs", "hamstring", "hamstrings", "knee", "knees"],
}


def red_flag_patterns(path: Path) -> list[dict[str, Any]]:
    """EntityRuler patterns for every red flag in ``path``; raises KnowledgeError if malformed."""
    if not path.is_file():
        raise KnowledgeError(f"{path}: file not found")
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    flags = content.get("red_flags")
    if not isinstance(flags, list) or not flags:
        raise KnowledgeError(f"{path}: expected a non-empty list under 'red_flags'")
    patterns: list[dict[str, Any]] = []
    for flag in flags:
        flag_id = flag.get("id") if isinstance(flag, dict) else None
        if not flag_id or not flag.get("label"):
            raise KnowledgeError(f"{path}: every red flag needs an 'id' and a 'label'")
        if not flag.get("phrases") and not flag.get("patterns"):
            raise KnowledgeError(f"{path}: red flag '{flag_id}' has no phrases or patterns")
        for phrase in flag.get("phrases") or []:
            patterns.append({"label": RED_FLAG, "id": flag_id, "pattern": str(phrase).lower()})
        for tokens in flag.get("patterns") or []:
            if not isinstance(tokens, list):
                raise KnowledgeError(
                    f"{path}: red flag '{flag_id}' has a pattern that is not a list"
                )
            patterns.append({"label": RED_FLAG, "id": flag_id, "pattern": tokens})
    return patterns


def red_flag_labels(path: Path) -> dict[str, str]:
    """Red flag id -> the label patients are told ("loss of bladder or bowel control")."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {flag["id"]: flag["label"] for flag in content.get("red_flags") or []}


def location_patterns(path: Path) -> list[dict[str, Any]]:
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    patterns = []
    for location in content.get("locations") or []:
        for name in {location["id"], str(location["name"]).lower()}:
            patterns.append({"label": CLINIC_LOCATION, "id": location["id"], "pattern": name})
    return patterns


def body_part_patterns() -> list[dict[str, Any]]:
    return [
        {"label": BODY_PART, "id": part, "pattern": phrase}
        for part, phrases in BODY_PARTS.items()
        for phrase in phrases
    ]


def all_patterns(knowledge_dir: Path) -> list[dict[str, Any]]:
    """Red flags first, so that where spans overlap the red flag wins."""
    return (
        red_flag_patterns(knowledge_dir / "red_flags.yml")
        + location_patterns(knowledge_dir / "clinic.yml")
        + body_part_patterns()
    )
