"""The journal as a Markdown file: YAML front matter, one section per reflection, a glossary.

Whatever a clinician typed stays literal. Every character that some Markdown flavour reads
as syntax is neutralised, so no answer can add a heading, a list, a table, a link, a code
block or HTML, in CommonMark/GFM and in the tools people open such files with (Obsidian,
Pandoc, Python-Markdown/MkDocs, Hugo, Jekyll):

* everywhere: ``\\ ` * _ { } [ ] #`` get a backslash (escapable in every flavour, Markdown.pl's
  own list); ``& < >`` become ``&amp; &lt; &gt;``, and ``| ~ $ ^ @`` (tables, strikethrough,
  math, superscript, citations) numeric character references, which every flavour decodes
  but not all let a backslash escape; runs of ``==`` and ``%%`` (Obsidian highlights and
  comments) become references too;
* at the start of each line, where block syntax lives (``#``, ``>``, ``-``, ``+``, ``1.``,
  ``a)``, ``:``, ``=``, ``!!!``, ``???``…): the first character if it is punctuation, or the
  ``.``/``)`` after a leading run of letters or digits;
* leading and trailing whitespace of each line becomes character references (it would
  otherwise make code blocks or vanish).

Line breaks are hard breaks (two trailing spaces: the one form every flavour knows); an empty
line is a paragraph break inside the answer; control characters that neither Telegram nor
HTML can show become U+FFFD, as CommonMark does with NUL. Smart-punctuation options some tools
offer (Pandoc's ``smart``) may still curl quotes and dashes, and GFM-style tools may make a
bare URL clickable: glyphs and a link, never a change of structure or of the words shown.

Links between reflections and the glossary use GitHub-style heading ids (lower case,
punctuation dropped, spaces to hyphens), which GitHub, GitLab, Pandoc, kramdown,
Python-Markdown's toc and Hugo all generate alike.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from reflect_bot.domain.export import (
    GlossaryEntry,
    Journal,
    JournalAnswer,
    JournalEntry,
    SourceNote,
)
from reflect_bot.domain.goals import ExportedGoal
from reflect_bot.domain.journaling import AnswerKind, ReflectionStatus
from reflect_bot.render.links import concept_deep_link
from reflect_bot.ui import texts

__all__ = [
    "EXTENSION",
    "MEDIA_TYPE",
    "NAMES",
    "escape_inline",
    "escape_text",
    "heading_id",
    "rating_text",
    "render",
    "render_parts",
]

#: How a clinician or a future exporter registry may name this format.
NAMES: tuple[str, ...] = ("markdown", "md")
EXTENSION = ".md"
MEDIA_TYPE = "text/markdown"

# ----------------------------------------------------------------------------- escaping

# Backslash escapes that every Markdown flavour honours (the list from Markdown.pl).
_BACKSLASHABLE = frozenset("\\`*_{}[]()#+-.!")
_EVERYWHERE: dict[str, str] = {char: "\\" + char for char in "\\`*_{}[]#"}
_EVERYWHERE |= {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_EVERYWHERE |= {char: f"&#{ord(char)};" for char in "|~$^@"}
_TABLE = str.maketrans(_EVERYWHERE)
_RUNS = re.compile(r"={2,}|%{2,}")
# ASCII punctuation that can open a block (or a flavour's block extension) at a line start;
# quotes, commas, semicolons and slashes never do and stay readable. Those the table already
# escapes everywhere are left out.
_LINE_START = frozenset("!#$%&()*+-.:<=>?@[\\]^_`{|}~") - set(_EVERYWHERE)
# Ordered-list markers: CommonMark's "1." and "1)", Pandoc's "a." "iv)" "B.".
_LIST_MARKER = re.compile(r"[0-9A-Za-z]+[.)]")
# C0/C1 controls other than tab and newline, and lone surrogates: nothing can show them.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_HARD_BREAK = "  "
_NOT_IN_ASCII_ID = re.compile(r"[^a-z0-9_\- ]")


def _references(chars: str) -> str:
    return "".join(f"&#{ord(char)};" for char in chars)


def _escape_char(char: str) -> str:
    return "\\" + char if char in _BACKSLASHABLE else _references(char)


def _escape_line(line: str) -> str:
    """One line (no newline in it) as Markdown that shows exactly these characters."""
    core = line.strip()
    if not core:
        return _references(line)
    lead = len(line) - len(line.lstrip())
    trail = len(line) - len(line.rstrip())
    body = core.translate(_TABLE)
    if "=" in body or "%" in body:
        body = _RUNS.sub(lambda match: _references(match.group()), body)
    if lead:
        # The line now starts with "&", which opens no block; the rest is mid-line text.
        body = _references(line[:lead]) + body
    elif core[0] in _LINE_START:
        if body[0] == core[0]:  # not already part of an escaped run of "=" or "%"
            body = _escape_char(core[0]) + body[1:]
    elif marker := _LIST_MARKER.match(core):
        # Letters and digits pass the table unchanged, so offsets in core and body agree.
        end = marker.end() - 1
        body = body[:end] + _escape_char(core[end]) + body[end + 1 :]
    if trail:
        body += _references(line[len(line) - trail :])
    return body


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSHOWABLE.sub("\ufffd", text) if _UNSHOWABLE.search(text) else text


def escape_text(text: str) -> str:
    """Free text, possibly several lines and paragraphs, as literal Markdown.

    Each line ends in a hard break; an empty line separates paragraphs (a run of them is
    kept in the file, and shown as one break, as Markdown shows it).
    """
    lines = _clean(text).split("\n")
    while lines and not lines[-1]:
        lines.pop()
    start = 0
    while start < len(lines) and not lines[start]:
        start += 1
    out: list[str] = []
    for index in range(start, len(lines)):
        line = lines[index]
        if not line:
            out.append("")
            continue
        escaped = _escape_line(line)
        if index + 1 < len(lines) and lines[index + 1]:
            escaped += _HARD_BREAK
        out.append(escaped)
    return "\n".join(out)


@lru_cache(maxsize=4096)
def escape_inline(text: str) -> str:
    """Text for one line (a heading, a bold question, a link label): spaces collapsed.

    Cached: a journal repeats the same questions, labels and concept names thousands of times.
    """
    return _escape_line(" ".join(_clean(text).split()))


def heading_id(text: str) -> str:
    """The id GitHub (and most tools) give a heading: lower case, punctuation and symbols
    dropped, each space a hyphen."""
    if text.isascii():
        return _NOT_IN_ASCII_ID.sub("", text.lower()).replace(" ", "-")
    kept = []
    for char in text.lower():
        if char == " ":
            kept.append("-")
        elif char in "-_" or char.isalnum() or unicodedata.category(char).startswith("M"):
            kept.append(char)
    return "".join(kept)


class _HeadingIds:
    """Unique heading ids in document order, numbered like GitHub's: x, x-1, x-2."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def add(self, text: str) -> str:
        base = slug = heading_id(text)
        while slug in self._seen:
            self._seen[base] += 1
            slug = f"{base}-{self._seen[base]}"
        self._seen[slug] = 0
        return slug


# ----------------------------------------------------------------------------- the file


def render(journal: Journal, *, bot_username: str | None = None) -> str:
    """The whole journal as one Markdown document."""
    return _render(journal, part=None, bot_username=bot_username)


def render_parts(journal: Journal, *, max_bytes: int, bot_username: str | None = None) -> list[str]:
    """The journal as one document, or as numbered documents of at most `max_bytes` each.

    Parts split between reflections, and each is complete on its own: front matter, its
    reflections, a glossary of the concepts they link to, and the totals of the whole export.
    A single reflection larger than the limit gets a part to itself.
    """
    whole = render(journal, bot_username=bot_username)
    if _size(whole) <= max_bytes or len(journal.entries) <= 1:
        return [whole]
    groups = _plan_parts(journal, max_bytes, bot_username)
    while True:
        parts = [
            _render(_subset(journal, group), part=(number, len(groups)), bot_username=bot_username)
            for number, group in enumerate(groups, start=1)
        ]
        # The plan sized parts with estimates; a part that still overflows passes its last
        # reflection on to the next part.
        over = next(
            (i for i, part in enumerate(parts) if _size(part) > max_bytes and len(groups[i]) > 1),
            None,
        )
        if over is None:
            return parts
        moved = groups[over].pop()
        if over + 1 == len(groups):
            groups.append([])
        groups[over + 1].insert(0, moved)


def _size(document: str) -> int:
    return len(document.encode("utf-8"))


def _subset(journal: Journal, entries: Sequence[JournalEntry]) -> Journal:
    slugs = {slug for entry in entries for slug in entry.concepts}
    return dataclasses.replace(
        journal, entries=tuple(entries), glossary=journal.glossary_for(slugs)
    )


def _plan_parts(
    journal: Journal, max_bytes: int, bot_username: str | None
) -> list[list[JournalEntry]]:
    """Greedy: fill each part with reflections (and the glossary they need) up to the limit."""
    entry_headings = [_entry_heading_text(entry) for entry in journal.entries]
    anchors = _anchors(journal, None, entry_headings)
    frame = _size(_render(_subset(journal, []), part=(99999, 99999), bot_username=bot_username))
    frame += _size(_section_heading(texts.EXPORT_DOC_GLOSSARY)) + 2
    glossary_sizes = {
        entry.slug: _size(_glossary_block(entry, bot_username)) + 2 for entry in journal.glossary
    }
    groups: list[list[JournalEntry]] = [[]]
    size, concepts = frame, set[str]()
    for entry, heading in zip(journal.entries, entry_headings, strict=True):
        block = _size(_entry_block(entry, heading, anchors)) + 2
        extra = block + sum(glossary_sizes.get(s, 0) for s in set(entry.concepts) - concepts)
        if groups[-1] and size + extra > max_bytes:
            groups.append([])
            size, concepts = frame, set()
            extra = block + sum(glossary_sizes.get(s, 0) for s in set(entry.concepts))
        groups[-1].append(entry)
        size += extra
        concepts |= set(entry.concepts)
    return groups


class _Anchor(NamedTuple):
    """Where a reflection's concept link points: the glossary heading's id, and its name."""

    id: str
    name: str


def _anchors(
    journal: Journal, part: tuple[int, int] | None, entry_headings: Sequence[str]
) -> dict[str, _Anchor]:
    """The glossary's concepts by slug, with ids that count every heading before them."""
    headings = _HeadingIds()
    headings.add(_title_text(part))
    for heading in entry_headings:
        headings.add(heading)
    headings.add(texts.EXPORT_DOC_GLOSSARY)
    return {entry.slug: _Anchor(headings.add(entry.name), entry.name) for entry in journal.glossary}


def _render(journal: Journal, *, part: tuple[int, int] | None, bot_username: str | None) -> str:
    entry_headings = [_entry_heading_text(entry) for entry in journal.entries]
    anchors = _anchors(journal, part, entry_headings)
    blocks = [
        _front_matter(journal, part),
        f"# {escape_inline(_title_text(part))}",
        _intro(journal),
    ]
    blocks += [
        _entry_block(entry, heading, anchors)
        for entry, heading in zip(journal.entries, entry_headings, strict=True)
    ]
    if journal.glossary:
        blocks.append(_section_heading(texts.EXPORT_DOC_GLOSSARY))
        blocks += [_glossary_block(entry, bot_username) for entry in journal.glossary]
    # After the glossary, so its headings' ids stay as they were; in the last part only.
    if journal.goals and (part is None or part[0] == part[1]):
        blocks.append(_section_heading(texts.EXPORT_DOC_GOALS))
        blocks += [_goal_block(goal) for goal in journal.goals]
    blocks.append(_totals(journal))
    return "\n\n".join(blocks) + "\n"


def _section_heading(text: str) -> str:
    return f"## {escape_inline(text)}"


# ----------------------------------------------------------------------------- front matter


def _front_matter(journal: Journal, part: tuple[int, int] | None) -> str:
    """YAML for Obsidian properties and static-site tools; flat keys, which both read well."""
    totals = journal.totals
    lines = ["---", f"title: {_yaml_string(texts.EXPORT_DOC_TITLE)}"]
    if journal.author:
        lines.append(f"author: {_yaml_string(journal.author)}")
    lines += [
        f"exported_at: {journal.exported_at.isoformat(timespec='seconds')}",
        f"range_start: {journal.start.isoformat()}",
        f"range_end: {journal.end.isoformat()}",
        f"timezone: {_yaml_string(journal.zone_name)}",
    ]
    if journal.request.program is not None:
        lines.append(f"program: {_yaml_string(journal.request.program)}")
    if journal.request.concept is not None:
        lines.append(f"concept: {_yaml_string(journal.request.concept)}")
    lines += [
        f"reflections: {totals.reflections}",
        f"answers: {totals.answers}",
        f"cpd_minutes: {totals.cpd_minutes}",
        f"ruptures: {totals.ruptures}",
        f"repairs: {totals.repairs}",
    ]
    if part is not None:
        lines += [f"part: {part[0]}", f"parts: {part[1]}"]
    lines.append("---")
    return "\n".join(lines)


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (1.1 and 1.2) that holds `value` exactly, on one line."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code <= 0x7E or (
            (0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000)
            and code not in (0x2028, 0x2029, 0xFEFF)
        ):
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


# ----------------------------------------------------------------------------- sections


def _title_text(part: tuple[int, int] | None) -> str:
    if part is None:
        return texts.EXPORT_DOC_TITLE
    return f"{texts.EXPORT_DOC_TITLE} ({texts.EXPORT_DOC_PART.format(part=part[0], parts=part[1])})"


def _intro(journal: Journal) -> str:
    facts = [
        texts.EXPORT_DOC_RANGE.format(start=journal.start.isoformat(), end=journal.end.isoformat())
    ]
    if journal.filter_label is not None:
        template = texts.EXPORT_DOC_PROGRAM if journal.request.program else texts.EXPORT_DOC_CONCEPT
        facts.append(template.format(title=journal.filter_label, name=journal.filter_label))
    facts.append(texts.EXPORT_DOC_ZONE.format(zone=journal.zone_name))
    facts.append(
        texts.EXPORT_DOC_EXPORTED.format(when=journal.exported_at.strftime("%Y-%m-%d %H:%M"))
    )
    return " · ".join(escape_inline(fact) for fact in facts)


def _entry_heading_text(entry: JournalEntry) -> str:
    started = entry.started
    weekday = texts.EXPORT_DOC_WEEKDAYS[started.weekday()]
    text = f"{started:%Y-%m-%d} {weekday} {started:%H:%M} · {entry.program_title}"
    if entry.status == ReflectionStatus.INCOMPLETE.value:
        text += f" ({texts.EXPORT_DOC_INCOMPLETE})"
    elif entry.status == ReflectionStatus.IN_PROGRESS.value:
        text += f" ({texts.EXPORT_DOC_IN_PROGRESS})"
    return text


def _entry_block(entry: JournalEntry, heading: str, anchors: dict[str, _Anchor]) -> str:
    facts = [escape_inline(texts.EXPORT_DOC_TIME_SPENT.format(minutes=entry.minutes))]
    links = [
        f"[{escape_inline(anchors[slug].name)}](#{anchors[slug].id})"
        for slug in entry.concepts
        if slug in anchors
    ]
    if links:
        facts.append(texts.EXPORT_DOC_CONCEPTS.format(links=", ".join(links)))
    parts = [f"## {escape_inline(heading)}", " · ".join(facts)]
    touched = [
        texts.EXPORT_DOC_TOUCHED_ITEM.format(
            link=f"[{escape_inline(anchors[slug].name)}](#{anchors[slug].id})",
            words=escape_text(words),  # not escape_inline: its cache must not keep answers
        )
        for slug, words in entry.touched
        if slug in anchors and words
    ]
    if touched:
        parts.append(texts.EXPORT_DOC_TOUCHED.format(items="; ".join(touched)))
    for answer in entry.answers:
        # Never "****": an empty bold line would be a thematic break.
        question = escape_inline(answer.question) or escape_inline(texts.EXPORT_DOC_NO_QUESTION)
        parts.append(f"**{question}**")
        parts.append(_answer(answer))
    for comment in entry.supervisor_comments:
        # Marked as the supervisor's words, quoted beneath the clinician's own.
        lines = [f"**{escape_inline(texts.EXPORT_DOC_SUPERVISOR_SAID)}**", ""]
        lines += escape_text(comment).split("\n")
        parts.append("\n".join(f"> {line}" if line else ">" for line in lines))
    return "\n\n".join(parts)


def _answer(answer: JournalAnswer) -> str:
    if answer.kind == AnswerKind.SKIPPED:
        return f"*{texts.EXPORT_DOC_SKIPPED}*"
    if answer.kind == AnswerKind.RATING and answer.rating is not None:
        shown = escape_inline(rating_text(answer))
    elif answer.kind == AnswerKind.CHOICE and answer.choice_label:
        shown = escape_inline(answer.choice_label)
    elif answer.text and answer.text.strip():
        shown = escape_text(answer.text)
    else:
        return f"*{texts.EXPORT_DOC_NO_TEXT}*"
    return f"{shown} *{texts.EXPORT_DOC_EDITED}*" if answer.edited else shown


def rating_text(answer: JournalAnswer) -> str:
    """A rating as the journal reads it, with the scale's end labels (plain text)."""
    rating, top = answer.rating, answer.rating_max
    if answer.scale is None:
        return texts.EXPORT_DOC_RATING.format(rating=rating, top=top)
    low, high = answer.scale
    if rating == 1:
        return texts.EXPORT_DOC_RATING_END.format(rating=rating, top=top, label=low)
    if rating == top:
        return texts.EXPORT_DOC_RATING_END.format(rating=rating, top=top, label=high)
    return texts.EXPORT_DOC_RATING_SCALE.format(rating=rating, top=top, low=low, high=high)


def _glossary_block(entry: GlossaryEntry, bot_username: str | None) -> str:
    parts = [f"### {escape_inline(entry.name)}", escape_text(entry.summary)]
    if entry.caveat:
        parts.append(escape_text(texts.EXPORT_DOC_NOTE.format(caveat=entry.caveat)))
    parts.append(escape_inline(texts.EXPORT_DOC_SOURCES))
    parts.append("\n".join(f"- {_source_line(note)}" for note in entry.sources))
    if bot_username:
        link = concept_deep_link(bot_username, entry.slug)
        # The link is built from the bot's username and a slug: no space or parenthesis in it.
        parts.append(f"[{escape_inline(texts.EXPORT_DOC_OPEN_CARD)}]({link})")
    return "\n\n".join(parts)


def _goal_block(goal: ExportedGoal) -> str:
    """A goal in the clinician's words, its facts, then each follow-up beneath it."""
    if goal.closed_on is not None:
        state = texts.EXPORT_DOC_GOAL_CLOSED.format(day=goal.closed_on.isoformat())
    elif goal.follow_up_on is not None:
        state = texts.EXPORT_DOC_GOAL_NEXT.format(day=goal.follow_up_on.isoformat())
    else:
        state = texts.EXPORT_DOC_GOAL_OPEN
    set_in = texts.EXPORT_DOC_GOAL_SET.format(title=goal.program_title)
    parts = [
        f"### {escape_inline(texts.EXPORT_DOC_GOAL_HEADING.format(day=goal.set_on.isoformat()))}",
        escape_text(goal.text),
        f"*{escape_inline(set_in)} · {escape_inline(state)}*",
    ]
    for check_in in goal.check_ins:
        tried = texts.EXPORT_DOC_TRIED if check_in.tried else texts.EXPORT_DOC_NOT_TRIED
        facts = texts.EXPORT_DOC_CHECK_IN.format(day=check_in.asked_on.isoformat(), tried=tried)
        if check_in.outcome is not None:
            facts += " · " + texts.EXPORT_DOC_OUTCOMES[check_in.outcome]
        lines = [f"**{escape_inline(facts)}**"]
        if check_in.text and check_in.text.strip():
            lines += ["", *escape_text(check_in.text).split("\n")]
        # Each follow-up a quoted block beneath its goal; every line quoted, whatever was typed.
        parts.append("\n".join(f"> {line}" if line else ">" for line in lines))
    return "\n\n".join(parts)


def _source_line(note: SourceNote) -> str:
    """E.g. Review: <title> (Kim, 2018), section “Therapeutic Alliance”, lines 216-234; cites …"""
    text = texts.EXPORT_DOC_SOURCE.format(document=note.document, title=note.title)
    if note.byline:
        text += f" ({note.byline})"
    lines = (texts.EXPORT_DOC_LINES if "-" in note.lines else texts.EXPORT_DOC_LINE).format(
        lines=note.lines
    )
    text += ", " + texts.EXPORT_DOC_SOURCE_PLACE.format(section=note.section, lines=lines)
    if note.references:
        text += "; " + texts.EXPORT_DOC_CITES.format(references="; ".join(note.references))
    return escape_inline(text)


def _totals(journal: Journal) -> str:
    totals = journal.totals
    lines = [
        texts.EXPORT_DOC_TOTAL_REFLECTIONS.format(count=totals.reflections),
        texts.EXPORT_DOC_TOTAL_MINUTES.format(count=totals.cpd_minutes),
        texts.EXPORT_DOC_TOTAL_RUPTURES.format(count=totals.ruptures),
        texts.EXPORT_DOC_TOTAL_REPAIRS.format(count=totals.repairs),
    ]
    items = "\n".join(f"- {escape_inline(line)}" for line in lines)
    return f"{_section_heading(texts.EXPORT_DOC_TOTALS)}\n\n{items}"
