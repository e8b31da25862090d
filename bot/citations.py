"""How the bot cites its sources: as plain text every channel can show, and as a structured
payload the web widget renders as links and the SMS channel shortens to one line per source."""

from __future__ import annotations

from typing import Any

from bot.knowledge import KnowledgeBase, Source, message

CITATION_TEXT_PREFIX = "Sources:"


def reference_line(source: Source) -> str:
    """A full reference, e.g. 'Kim WD, Shin D. Correlations ... Med Sci Monit. 2020;26:e925080.'"""
    if source.kind == "study":
        authors = ", ".join(_initialled(name) for name in source.authors)
        journal = source.journal_abbrev or source.journal
        return (
            f"{authors}. {source.title}. {journal}. {source.year};{source.volume}:{source.article}."
        )
    when = f", {source.date}" if source.date else ""
    return f'"{source.title}" ({source.publisher}{when})'


def _initialled(full_name: str) -> str:
    """'Won-deuk Kim' -> 'Kim WD' (the citation style the blog post uses)."""
    *given, family = full_name.split()
    initials = "".join(part[0].upper() for name in given for part in name.split("-"))
    return f"{family} {initials}"


def source_links(source: Source) -> list[tuple[str, str]]:
    """(label, url) pairs for a source, most authoritative first."""
    links = [
        (message("citations.doi"), source.doi_url),
        (message("citations.pubmed"), source.pubmed_url),
        (message("citations.pmc"), source.pmc_url),
        (message("citations.post"), source.url),
    ]
    return [(label, url) for label, url in links if url]


def citation_text(sources: list[Source]) -> str:
    """The citations as one text message, links written out so they work on any channel."""
    lines = [CITATION_TEXT_PREFIX]
    for source in sources:
        links = " | ".join(f"{label}: {url}" for label, url in source_links(source))
        lines.append(f"- {reference_line(source)}" + (f" {links}" if links else ""))
    return "\n".join(lines)


def citation_payload(answer_id: str | None, sources: list[Source]) -> dict[str, Any]:
    """The structured form sent as a Rasa ``custom`` payload."""
    return {
        "type": "citations",
        "answer_id": answer_id,
        "sources": [
            {
                "id": source.id,
                "kind": source.kind,
                "title": source.title,
                "short": source.short,
                "reference": reference_line(source),
                "url": source.best_url,
                "doi_url": source.doi_url,
                "pubmed_url": source.pubmed_url,
                "pmc_url": source.pmc_url,
                "design": source.design,
            }
            for source in sources
        ],
    }


def all_sources(knowledge: KnowledgeBase) -> list[Source]:
    return list(knowledge.sources.values())
