"""What the bot says for each kind of turn, built from the knowledge base.

Each function returns a list of messages (dicts with ``text``, ``buttons`` and/or ``custom``) that
an action hands to Rasa's dispatcher unchanged, so the wording can be tested without Rasa.
"""

from __future__ import annotations

from typing import Any

from bot.citations import all_sources, citation_payload, citation_text
from bot.knowledge import Clinic, KnowledgeBase, Topic

Message = dict[str, Any]

BOOK_BUTTON = {"title": "Request an appointment", "payload": "/book_appointment"}
HUMAN_BUTTON = {"title": "Talk to a person", "payload": "/talk_to_human"}
SOURCES_BUTTON = {"title": "Where is this from?", "payload": "/ask_sources"}

# Button labels for intents that are not health topics (topics use their own titles).
INTENT_LABELS = {
    "book_appointment": "Request an appointment",
    "talk_to_human": "Talk to a person",
    "clinic_locations": "Clinic locations",
    "ask_sources": "Where your answers come from",
    "emergency_symptoms": "Warning signs that need urgent care",
}


def topic_button(knowledge: KnowledgeBase, intent: str) -> dict[str, str] | None:
    topic = knowledge.topic(intent)
    title = topic.title if topic else INTENT_LABELS.get(intent)
    return {"title": title, "payload": f"/{intent}"} if title else None


def answer_messages(
    knowledge: KnowledgeBase, topic: Topic, offer_next_steps: bool = True
) -> list[Message]:
    """A health answer: the answer, its caveats, its sources (text and payload), next steps.

    Inside the booking form the next steps are left out: the form's own question follows.
    """
    sources = knowledge.sources_of(topic)
    text = topic.answer if not topic.details else f"{topic.answer}\n\n{topic.details}"
    buttons = [b for b in (topic_button(knowledge, r) for r in topic.related) if b]
    if BOOK_BUTTON not in buttons:
        buttons.append(BOOK_BUTTON)
    messages = [
        {"text": text},
        {"text": citation_text(sources)},
        {"custom": citation_payload(topic.id, sources)},
    ]
    if offer_next_steps:
        messages.append(
            {
                "text": "Would you like to request an appointment, or ask something else?",
                "buttons": buttons,
            }
        )
    return messages


def sources_messages(knowledge: KnowledgeBase, last_topic: Topic | None) -> list[Message]:
    """``ask_sources``: the sources of the last answer, or everything the bot draws on."""
    if last_topic is None:
        sources = all_sources(knowledge)
        intro = (
            "Everything I say comes from these sources. Answers about back pain come from the "
            "clinic's blog post and the study it cites. Warning signs come from an expert guide "
            "and the NHS."
        )
        answer_id = None
    else:
        sources = knowledge.sources_of(last_topic)
        intro = f'My answer to "{last_topic.title}" comes from:'
        answer_id = last_topic.id
    study_note = next((s.design for s in sources if s.design), None)
    text = intro if not study_note else f"{intro}\n\nAbout the study: {study_note}."
    return [
        {"text": text},
        {"text": citation_text(sources)},
        {"custom": citation_payload(answer_id, sources)},
    ]


def clinic_phone_line(clinic: Clinic) -> str:
    line = f"Call {clinic.name} at {clinic.phone}"
    return f"{line} ({clinic.hours})" if clinic.hours else line


def locations_messages(clinic: Clinic) -> list[Message]:
    places = []
    for location in clinic.locations:
        detail = f": {location.address}" if location.address else ""
        places.append(f"- {location.name} ({location.city}){detail}")
    text = f"{clinic.name} has clinics in:\n" + "\n".join(places)
    if not clinic.hours:
        text += "\n\nI don't know the opening hours. The front desk can tell you."
    text += f"\n\n{clinic_phone_line(clinic)}."
    if clinic.booking_url:
        text += f" You can also book online: {clinic.booking_url}"
    return [{"text": text, "buttons": [BOOK_BUTTON, HUMAN_BUTTON]}]


def clarify_messages(knowledge: KnowledgeBase, candidates: list[str]) -> list[Message]:
    """First miss: offer the closest topics as buttons instead of guessing."""
    buttons = [b for b in (topic_button(knowledge, intent) for intent in candidates) if b][:3]
    buttons.append(HUMAN_BUTTON)
    return [
        {
            "text": (
                "Sorry, I'm not sure I understood. I answer questions in English about low back "
                "pain and the hips, and help you book or reach the clinic. Did you mean one of these?"
            ),
            "buttons": buttons,
        }
    ]


def second_miss_messages(clinic: Clinic) -> list[Message]:
    """Second miss in a row: stop guessing and offer a person or booking."""
    return [
        {
            "text": (
                "I'm still not sure what you need, and I'd rather not guess. "
                f"{clinic_phone_line(clinic)} to talk to a person, or I can help you request an "
                "appointment."
            ),
            "buttons": [HUMAN_BUTTON, BOOK_BUTTON],
        }
    ]
