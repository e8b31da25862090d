"""The knowledge base: health answers (topics), the sources they cite, and the clinic's details.

All of it is data under ``data/knowledge/`` that the clinic can edit. Loading validates every file
and stops with a message that names the file and the field, because a bot that starts with a
topic nobody can trace to a source would break the clinic's first promise to patients. For the
same reason each answer quotes the passages it rests on (``grounding`` in topics.yml), and loading
checks every quote against the source texts copied into ``sources/``: a rewording that drifts from
the sources then fails at start-up, next to the quote it must match, instead of reaching patients.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import Settings, get_settings

SMS_ANSWER_LIMIT = 480


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed, or inconsistent."""


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    title: str
    short: str
    url: str | None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    date: str | None = None
    journal: str | None = None
    journal_abbrev: str | None = None
    year: int | None = None
    volume: str | None = None
    article: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    design: str | None = None

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def pubmed_url(self) -> str | None:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else None

    @property
    def pmc_url(self) -> str | None:
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{self.pmcid}/" if self.pmcid else None

    @property
    def best_url(self) -> str | None:
        """The one link to give where there is room for only one."""
        return self.doi_url or self.url


@dataclass(frozen=True)
class Grounding:
    """A passage of a source, quoted word for word, that a health answer rests on."""

    source: str
    quote: str


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    answer: str
    details: str | None
    sources: tuple[str, ...]
    related: tuple[str, ...]
    grounding: tuple[Grounding, ...] = ()


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    city: str
    address: str | None
    phone: str | None


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    phone_is_example: bool
    booking_url: str | None
    hours: str | None
    emergency_number: str
    locations: tuple[Location, ...]

    def location(self, name: str | None) -> Location | None:
        """The location whose id or name matches ``name`` (case-insensitive)."""
        if not name:
            return None
        wanted = name.strip().lower()
        for location in self.locations:
            if wanted in (location.id, location.name.lower()):
                return location
        return None


@dataclass(frozen=True)
class KnowledgeBase:
    topics: dict[str, Topic]
    sources: dict[str, Source]
    clinic: Clinic

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def sources_of(self, topic: Topic) -> list[Source]:
        return [self.sources[source_id] for source_id in topic.sources]


# libyaml's loader when PyYAML was built with it (ten times faster on the red-flag examples that
# every Rasa server reads at start), else the pure-Python one; both are safe loaders.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict[str, Any]:
    """A knowledge file's mapping, or a KnowledgeError naming the file."""
    if not path.is_file():
        raise KnowledgeError(f"{path}: file not found")
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(content, dict):
        raise KnowledgeError(f"{path}: expected a mapping at the top level")
    return content


def _required(entry: dict[str, Any], key: str, where: str) -> Any:
    value = entry.get(key)
    if value is None or (isinstance(value, (str, list)) and not value):
        raise KnowledgeError(f"{where}: missing required field '{key}'")
    return value


def _entries(content: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    entries = content.get(key)
    if not isinstance(entries, list) or not entries:
        raise KnowledgeError(f"{path}: expected a non-empty list under '{key}'")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{path}: entry {index + 1} under '{key}' is not a mapping")
    return entries


def load_sources(path: Path, settings: Settings) -> dict[str, Source]:
    content = read_yaml(path)
    sources: dict[str, Source] = {}
    for entry in _entries(content, "sources", path):
        source_id = _required(entry, "id", f"{path}: a source")
        where = f"{path}: source '{source_id}'"
        if source_id in sources:
            raise KnowledgeError(f"{where}: listed twice")
        kind = _required(entry, "kind", where)
        if kind == "study":
            for key in ("authors", "journal", "year", "doi", "pmid"):
                _required(entry, key, where)
        url = entry.get("url")
        if entry.get("url_setting") == "MEND_BLOG_URL":
            url = settings.blog_url or url
        sources[source_id] = Source(
            id=source_id,
            kind=kind,
            title=_required(entry, "title", where),
            short=_required(entry, "short", where),
            url=url,
            authors=tuple(entry.get("authors") or ()),
            publisher=entry.get("publisher"),
            date=str(entry["date"]) if entry.get("date") else None,
            journal=entry.get("journal"),
            journal_abbrev=entry.get("journal_abbrev"),
            year=entry.get("year"),
            volume=str(entry["volume"]) if entry.get("volume") else None,
            article=entry.get("article"),
            doi=entry.get("doi"),
            pmid=str(entry["pmid"]) if entry.get("pmid") else None,
            pmcid=entry.get("pmcid"),
            design=entry.get("design"),
        )
    return sources


def _flat(text: str) -> str:
    """Whitespace normalised: the only difference allowed between a quote and its source."""
    return " ".join(text.split())


def load_source_texts(directory: Path) -> dict[str, str]:
    """The text of each source, by source id, from ``sources/texts.yml`` and the files it names."""
    index = directory / "texts.yml"
    content = read_yaml(index)
    texts = content.get("texts")
    if not isinstance(texts, dict) or not texts:
        raise KnowledgeError(f"{index}: expected a mapping of source id to file under 'texts'")
    loaded: dict[str, str] = {}
    for source_id, name in texts.items():
        path = directory / str(name)
        if not path.is_file():
            raise KnowledgeError(f"{index}: source '{source_id}': file {path} not found")
        loaded[str(source_id)] = _flat(path.read_text(encoding="utf-8"))
    return loaded


def load_grounding(
    entry: dict[str, Any], where: str, source_ids: list[str], texts: dict[str, str]
) -> tuple[Grounding, ...]:
    """The quotes a topic rests on: each from one of its own sources, each found in that text."""
    quotes = entry.get("grounding")
    if not isinstance(quotes, list) or not quotes:
        raise KnowledgeError(
            f"{where}: has no 'grounding'; quote the source passages the answer rests on"
        )
    grounding = []
    for number, item in enumerate(quotes, start=1):
        here = f"{where}: grounding {number}"
        if not isinstance(item, dict):
            raise KnowledgeError(f"{here}: expected 'source' and 'quote'")
        source_id = str(_required(item, "source", here))
        quote = _flat(str(_required(item, "quote", here)))
        if source_id not in source_ids:
            raise KnowledgeError(f"{here}: source '{source_id}' is not in this topic's sources")
        if source_id not in texts:
            raise KnowledgeError(f"{here}: no text for source '{source_id}' in sources/texts.yml")
        if quote not in texts[source_id]:
            raise KnowledgeError(f"{here}: quote not found in the text of '{source_id}': {quote!r}")
        grounding.append(Grounding(source=source_id, quote=quote))
    ungrounded = [s for s in source_ids if s not in {g.source for g in grounding}]
    if ungrounded:
        raise KnowledgeError(f"{where}: no grounding quote from cited source(s) {ungrounded}")
    return tuple(grounding)


def load_topics(path: Path, sources: dict[str, Source], texts: dict[str, str]) -> dict[str, Topic]:
    """The health answers; ``texts`` (source id -> text) is what grounding quotes must match."""
    content = read_yaml(path)
    topics: dict[str, Topic] = {}
    for entry in _entries(content, "topics", path):
        topic_id = _required(entry, "id", f"{path}: a topic")
        where = f"{path}: topic '{topic_id}'"
        if topic_id in topics:
            raise KnowledgeError(f"{where}: listed twice")
        answer = " ".join(str(_required(entry, "answer", where)).split())
        if len(answer) > SMS_ANSWER_LIMIT:
            raise KnowledgeError(
                f"{where}: answer has {len(answer)} characters; keep it under "
                f"{SMS_ANSWER_LIMIT} so it fits a text message (move the rest to 'details')"
            )
        source_ids = entry.get("sources") or []
        if not source_ids:
            raise KnowledgeError(f"{where}: has no sources; every health answer must cite one")
        for source_id in source_ids:
            if source_id not in sources:
                raise KnowledgeError(f"{where}: unknown source id '{source_id}'")
        details = entry.get("details")
        grounding = load_grounding(entry, where, source_ids, texts)
        topics[topic_id] = Topic(
            id=topic_id,
            title=_required(entry, "title", where),
            answer=answer,
            details=" ".join(str(details).split()) if details else None,
            sources=tuple(source_ids),
            related=tuple(entry.get("related") or ()),
            grounding=grounding,
        )
    return topics


def load_clinic(path: Path, settings: Settings) -> Clinic:
    content = read_yaml(path)
    where = str(path)
    locations = tuple(
        Location(
            id=_required(entry, "id", f"{where}: a location"),
            name=_required(entry, "name", f"{where}: location '{entry.get('id')}'"),
            city=_required(entry, "city", f"{where}: location '{entry.get('id')}'"),
            address=entry.get("address"),
            phone=entry.get("phone"),
        )
        for entry in _entries(content, "locations", path)
    )
    phone = settings.clinic_phone or _required(content, "phone", where)
    return Clinic(
        name=_required(content, "name", where),
        phone=phone,
        phone_is_example=bool(content.get("phone_is_example")) and not settings.clinic_phone,
        booking_url=settings.clinic_booking_url or content.get("booking_url"),
        hours=settings.clinic_hours or content.get("hours"),
        emergency_number=str(content.get("emergency_number") or "911"),
        locations=locations,
    )


def load_knowledge(settings: Settings | None = None) -> KnowledgeBase:
    """Load and cross-check every knowledge file; raise :class:`KnowledgeError` on any problem."""
    settings = settings or get_settings()
    directory = settings.knowledge_dir
    sources = load_sources(directory / "sources.yml", settings)
    texts = load_source_texts(directory / "sources")
    topics = load_topics(directory / "topics.yml", sources, texts)
    for topic in topics.values():
        for related in topic.related:
            if related not in topics and related != "book_appointment":
                raise KnowledgeError(
                    f"{directory / 'topics.yml'}: topic '{topic.id}' relates to unknown "
                    f"topic '{related}'"
                )
    clinic = load_clinic(directory / "clinic.yml", settings)
    load_messages(directory / MESSAGES_FILE)  # checked at start-up with the rest
    return KnowledgeBase(topics=topics, sources=sources, clinic=clinic)


@lru_cache(maxsize=1)
def get_knowledge() -> KnowledgeBase:
    """The process-wide knowledge base, loaded and validated once."""
    return load_knowledge()


# --- the words the bot's own code says (messages.yml) -----------------------------------------

MESSAGES_FILE = "messages.yml"
_NAME, _COUNT, _CHARS = ("name",), ("count",), ("characters",)
# Every field of messages.yml and the placeholders the code fills in it: the file must have each
# field, and may use only these placeholders (the code would fail on any other at a patient's turn).
MESSAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "channels.sorry": (),
    "channels.empty": (),
    "channels.too_long": ("length", "limit"),
    "booking.summary_intro": (),
    "booking.summary_question": (),
    "booking.not_given": (),
    **{
        f"booking.labels.{slot}": ()
        for slot in (
            "booking_name",
            "booking_contact",
            "booking_location",
            "booking_times",
            "booking_reason",
        )
    },
    "booking.buttons.confirm": (),
    "booking.buttons.change": (),
    "booking.buttons.discard": (),
    "booking.summary_unclear": (),
    "booking.what_to_change": (),
    "booking.name_missing": (),
    "booking.name_too_long": (),
    "booking.contact_missing": (),
    "booking.location_unknown": ("names",),
    "booking.or": (),
    "contact.empty": (),
    "contact.phone_empty": (),
    "contact.phone_seven_digits": (),
    "contact.phone_one_digit": _COUNT,
    "contact.phone_digits": _COUNT,
    "contact.phone_one_digit_after_plus_one": _COUNT,
    "contact.phone_digits_after_plus_one": _COUNT,
    "contact.phone_extension": (),
    "contact.phone_letters": (),
    "contact.phone_characters": _CHARS,
    "contact.phone_not_us": (),
    "contact.area_code_start": ("area", "first"),
    "contact.area_code_n11": ("area",),
    "contact.exchange_start": ("exchange", "first"),
    "contact.email_empty": (),
    "contact.email_space": (),
    "contact.email_no_at": (),
    "contact.email_many_at": (),
    "contact.email_no_local": (),
    "contact.email_no_domain": (),
    "contact.email_too_long": (),
    "contact.local_too_long": (),
    "contact.local_characters": _CHARS,
    "contact.local_dots": (),
    "contact.domain_no_dot": ("domain",),
    "contact.domain_characters": ("domain",),
    "contact.domain_ending": ("ending",),
    "replies.book_button": (),
    "replies.human_button": (),
    **{
        f"replies.intent_labels.{intent}": ()
        for intent in (
            "book_appointment",
            "talk_to_human",
            "clinic_locations",
            "ask_sources",
            "emergency_symptoms",
        )
    },
    "replies.next_steps": (),
    "replies.sources_all": (),
    "replies.sources_one": ("title",),
    "replies.study_note": ("design",),
    "replies.phone_line": ("clinic_name", "clinic_phone"),
    "replies.phone_line_hours": ("clinic_name", "clinic_phone", "hours"),
    "replies.locations_intro": ("clinic_name",),
    "replies.location": (*_NAME, "city"),
    "replies.location_address": (*_NAME, "city", "address"),
    "replies.hours_unknown": (),
    "replies.book_online": ("booking_url",),
    "replies.clarify": (),
    "replies.second_miss": ("phone_line",),
    "citations.doi": (),
    "citations.pubmed": (),
    "citations.pmc": (),
    "citations.post": (),
    "sms.numbered_intro": (),
    "sms.choice": ("number", "title"),
    "sms.one_choice": ("choice",),
    "sms.choices": ("choices", "last"),
    "sms.source_link": (*_NAME, "url"),
    "sms.source": _NAME,
}


@dataclass(frozen=True)
class Messages:
    """The texts of messages.yml by dotted field ("booking.name_missing"), checked at load."""

    texts: dict[str, str]

    def text(self, field: str, **values: Any) -> str:
        """The text of ``field`` with its placeholders filled from ``values``."""
        return self.texts[field].format(**values)

    def section(self, prefix: str) -> dict[str, str]:
        """The texts under ``prefix`` ("booking.labels") by their last key, in file order."""
        start = prefix + "."
        return {
            key[len(start) :]: text for key, text in self.texts.items() if key.startswith(start)
        }


def _placeholders(text: str, where: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:  # an unmatched { or }
        raise KnowledgeError(
            f"{where}: {error} (write braces only around a placeholder)"
        ) from error


def load_messages(path: Path) -> Messages:
    """Every field of MESSAGE_FIELDS from ``path``, or a KnowledgeError naming file and field."""
    content = read_yaml(path)
    texts: dict[str, str] = {}
    for field, allowed in MESSAGE_FIELDS.items():
        value: Any = content
        for key in field.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(f"{path}: missing required field '{field}'")
        text = " ".join(value.split())
        unknown = sorted(_placeholders(text, f"{path}: {field}") - set(allowed))
        if unknown:
            raise KnowledgeError(
                f"{path}: {field} uses unknown placeholder(s) {unknown}; "
                f"it may use {sorted(allowed) or 'none'}"
            )
        texts[field] = text
    return Messages(texts)


@lru_cache(maxsize=1)
def get_messages() -> Messages:
    """The process-wide messages, loaded and validated once."""
    return load_messages(get_settings().knowledge_dir / MESSAGES_FILE)


def message(field: str, **values: Any) -> str:
    """The text of a messages.yml field, filled: ``message("contact.phone_digits", count=9)``."""
    return get_messages().text(field, **values)
