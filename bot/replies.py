"""What the bot says for each kind of turn, built from the knowledge base.

Each function returns a list of messages (dicts with ``text``, ``buttons`` and/or ``custom``) that
an action hands to Rasa's dispatcher unchanged, so the wording can be tested without Rasa. The
words are data (``replies`` in data/knowledge/messages.yml); this module puts them around the
knowledge base's topics, sources and clinic details.
"""

from __future__ import annotations

from typing import Any

from bot.citations import all_sources, citation_payload, citation_text
from bot.knowledge import Clinic, KnowledgeBase, Topic, get_messages, message

Message = dict[str, Any]


def book_button() -> dict[str, str]:
    return {"title": message("replies.book_button"), "payload": "/book_appointment"}


def human_button() -> dict[str, str]:
    return {"title": message("replies.human_button"), "payload": "/talk_to_human"}


def topic_button(knowledge: KnowledgeBase, intent: str) -> dict[str, str] | None:
    """A button for a topic (its title) or another intent (its label in messages.yml)."""
    topic = knowledge.topic(intent)
    labels = get_messages().section("replies.intent_labels")
    title = topic.title if topic else labels.get(intent)
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
    if book_button() not in buttons:
        buttons.append(book_button())
    messages: list[Message] = [
        {"text": text},
        {"text": citation_text(sources)},
        {"custom": citation_payload(topic.id, sources)},
    ]
    if offer_next_steps:
        messages.append(
            {
                "text": message("replies.next_steps"),
                "buttons": buttons,
            }
        )
    return messages


def sources_messages(knowledge: KnowledgeBase, last_topic: Topic | None) -> list[Message]:
    """``ask_sources``: the sources of the last answer, or everything the bot draws on."""
    if last_topic is None:
        sources = all_sources(knowledge)
        intro = message("replies.sources_all")
        answer_id = None
    else:
        sources = knowledge.sources_of(last_topic)
        intro = message("replies.sources_one", title=last_topic.title)
        answer_id = last_topic.id
    study_note = next((s.design for s in sources if s.design), None)
    text = f"{intro}\n\n{message('replies.study_note', design=study_note)}" if study_note else intro
    return [
        {"text": text},
        {"text": citation_text(sources)},
        {"custom": citation_payload(answer_id, sources)},
    ]


def clinic_phone_line(clinic: Clinic) -> str:
    """ "Call Mend Physical Therapy at (303) 555-0100 (Mon-Fri 7am-7pm)": hours if known."""
    if clinic.hours:
        return message(
            "replies.phone_line_hours",
            clinic_name=clinic.name,
            clinic_phone=clinic.phone,
            hours=clinic.hours,
        )
    return message("replies.phone_line", clinic_name=clinic.name, clinic_phone=clinic.phone)


def handoff_phone_line(clinic: Clinic) -> str:
    """The phone line inside a sentence ("If you'd rather not wait, call ..."): lower case first."""
    line = clinic_phone_line(clinic)
    return line[:1].lower() + line[1:]


def locations_messages(clinic: Clinic) -> list[Message]:
    places = []
    for location in clinic.locations:
        values = {"name": location.name, "city": location.city}
        if location.address:
            places.append(message("replies.location_address", **values, address=location.address))
        else:
            places.append(message("replies.location", **values))
    text = message("replies.locations_intro", clinic_name=clinic.name) + "\n" + "\n".join(places)
    if not clinic.hours:
        text += "\n\n" + message("replies.hours_unknown")
    text += f"\n\n{clinic_phone_line(clinic)}."
    if clinic.booking_url:
        text += " " + message("replies.book_online", booking_url=clinic.booking_url)
    return [{"text": text, "buttons": [book_button(), human_button()]}]


def clarify_messages(knowledge: KnowledgeBase, candidates: list[str]) -> list[Message]:
    """First miss: offer the closest topics as buttons instead of guessing."""
    buttons = [b for b in (topic_button(knowledge, intent) for intent in candidates) if b][:3]
    buttons.append(human_button())
    return [{"text": message("replies.clarify"), "buttons": buttons}]


def second_miss_messages(clinic: Clinic) -> list[Message]:
    """Second miss in a row: stop guessing and offer a person or booking."""
    text = message("replies.second_miss", phone_line=clinic_phone_line(clinic))
    return [{"text": text, "buttons": [human_button(), book_button()]}]
