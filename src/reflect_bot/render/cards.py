"""Concept cards and the program list as Telegram HTML."""

from __future__ import annotations

from html import escape

from reflect_bot.catalog import Catalog, Concept, Program, SourceRef

CATEGORY_TITLES = {
    "alliance": "The alliance",
    "empathy": "Empathy",
    "attachment": "Attachment",
    "neurobiology": "Neurobiology",
    "lenses": "Therapy lenses",
}


def source_label(catalog: Catalog, ref: SourceRef) -> str:
    """A source in a few words, e.g. "Article: Rupture and repair" (plain text)."""
    document = catalog.source(ref.document)
    return f"{document.label}: {ref.section}"


def short_source(catalog: Catalog, concept: Concept) -> str:
    """The card's first source in a few words (plain text), for digests and lists."""
    return source_label(catalog, concept.sources[0])


def _source_line(catalog: Catalog, ref: SourceRef) -> str:
    document = catalog.source(ref.document)
    by = (
        f" ({document.authors[0].split()[-1]}, {document.year})"
        if document.authors and document.year
        else ""
    )
    where = f"“{escape(ref.section)}”, lines {escape(ref.lines)}"
    line = f"• <i>{escape(document.title)}</i>{escape(by)} — {where}"
    if ref.references:
        line += f"; cites {escape('; '.join(ref.references))}"
    return line


def _outside_line(catalog: Catalog, key: str) -> str:
    document = catalog.source(key)
    by = f"{document.label}, {document.year}" if document.year else document.label
    return f"• {escape(by)}: <i>{escape(document.title)}</i> (outside the two source documents)"


def concept_card(catalog: Catalog, concept: Concept) -> str:
    """The whole card: summary, what it means in the room, caveat and sources."""
    parts = [
        f"<b>{escape(concept.name)}</b>",
        f"<i>{escape(CATEGORY_TITLES.get(concept.category.value, concept.category.value))}</i>",
        "",
        escape(concept.summary),
        "",
        f"<b>In the room:</b> {escape(concept.in_the_room)}",
    ]
    if concept.caveat:
        parts += ["", f"<i>{escape(concept.caveat)}</i>"]
    parts += ["", "<b>Sources</b>"]
    parts += [_source_line(catalog, ref) for ref in concept.sources]
    parts += [_outside_line(catalog, key) for key in concept.outside_sources]
    return "\n".join(parts)


def concept_index(catalog: Catalog) -> str:
    """/concepts: every card's name, grouped by category."""
    lines = ["<b>Concept cards</b>", "Tap a card to read it, with the research it comes from.", ""]
    for category, concepts in catalog.concepts_by_category().items():
        lines.append(f"<b>{escape(CATEGORY_TITLES.get(category.value, category.value))}</b>")
        lines.append(" · ".join(escape(concept.name) for concept in concepts))
    return "\n".join(lines)


def program_list(programs: list[Program]) -> str:
    """/programs: each program's purpose and duration."""
    lines = ["<b>Reflections you can do</b>", ""]
    for program in programs:
        lines.append(f"<b>{escape(program.title)}</b> · about {program.duration_minutes} min")
        lines.append(f"{escape(program.purpose)}")
        lines.append(f"<code>/reflect {escape(program.id)}</code>")
        lines.append("")
    return "\n".join(lines).rstrip()
