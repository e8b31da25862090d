"""The safety net: a red-flag symptom in any message makes its intent ``emergency_symptoms``.

A classifier alone can miss a red flag that comes inside another request ("can I book? also I
can't control my bladder"), so this component runs last in the NLU pipeline, looks at the
EntityRuler's ``red_flag`` entities on the spaCy doc, and overrides whatever the classifiers and
the fallback decided. The original prediction stays in the intent ranking for staff review.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.patterns import RED_FLAG

EMERGENCY_INTENT = "emergency_symptoms"
SPACY_DOC_KEY = "text_spacy_doc"


def red_flags_in(message: Message) -> list[str]:
    """Ids of the red flags found in the message (from the spaCy doc, else from its entities)."""
    doc = message.get(SPACY_DOC_KEY)
    if doc is not None:
        return [ent.ent_id_ or ent.text for ent in doc.ents if ent.label_ == RED_FLAG]
    return [
        entity["value"] for entity in message.get(ENTITIES, []) if entity.get("entity") == RED_FLAG
    ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagGuard(GraphComponent, IntentClassifier):
    """Sets ``emergency_symptoms`` with full confidence when a red flag is present."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if message.get(TEXT, "").startswith("/"):
                continue  # a button payload names its intent explicitly
            flags = red_flags_in(message)
            if flags:
                self._override(message)
                self._canonical_values(message, flags)
        return messages

    @staticmethod
    def _canonical_values(message: Message, flags: list[str]) -> None:
        """Name each red-flag entity by its id (as a synonym mapper would) for the reply."""
        red_flag_entities = [e for e in message.get(ENTITIES, []) if e.get("entity") == RED_FLAG]
        for entity, flag in zip(red_flag_entities, flags):
            entity["value"] = flag

    @staticmethod
    def _override(message: Message) -> None:
        emergency = {INTENT_NAME_KEY: EMERGENCY_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            entry
            for entry in message.get(INTENT_RANKING_KEY, [])
            if entry.get(INTENT_NAME_KEY) != EMERGENCY_INTENT
        ]
        message.set(INTENT, emergency, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [emergency] + ranking, add_to_output=True)
