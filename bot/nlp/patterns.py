"""Entity patterns for the spaCy EntityRuler, made from the knowledge files.

Two labels: ``clinic_location`` (from ``clinic.yml``) and ``body_part`` (a fixed list of lay
terms). Red flags are not entities of this pipeline: the safety net (``bot/safety/``) has its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CLINIC_LOCATION = "clinic_location"
BODY_PART = "body_part"

BODY_PARTS = {
    "lower_back": ["lower back", "low back", "lumbar", "lumbar spine", "back", "spine", "tailbone"],
    "hip": ["hip", "hips", "hip flexor", "hip flexors", "pelvis", "glutes", "butt"],
    "leg": ["leg", "legs", "thigh", "thighs", "hamstring", "hamstrings", "knee", "knees"],
}


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
    return location_patterns(knowledge_dir / "clinic.yml") + body_part_patterns()
