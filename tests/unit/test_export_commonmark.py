"""The exported journal keeps its structure in CommonMark whatever the clinician typed.

The export is rendered with markdown-it-py (CommonMark, plus GFM tables and strikethrough, so
those could not sneak in either) and read back: the heading tree must be exactly the one the
journal implies, no HTML may appear, every concept link must point at a glossary heading,
and each answer must come back as plain text equal to what was typed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reflect_bot.domain.export import (
    ExportRequest,
    ExportScope,
    GlossaryEntry,
    Journal,
    JournalAnswer,
    JournalEntry,
    SourceNote,
    Totals,
)
from reflect_bot.render.markdown import escape_inline, render, render_parts

HOSTILE: list[str] = [
    "# heading\n## two\n###### six\n#tag and #another",
    "*em* **strong** _u_ __uu__ ***both*** a*b*c snake_case_word",
    "`code` ``double `tick` `` and a lone ` tick",
    "```\nfenced\n```",
    "~~~python\nfenced\n~~~",
    "<script>alert('x')</script>",
    "<b>bold</b> <img src=x onerror=alert(1)> <a href='y'>z</a>",
    "<!-- comment -->\n<div>\n\n</div>",
    "<http://autolink.example> <mail@example.com>",
    "[x](y) [x](<y z>) [x][ref] [ref]\n\n[ref]: http://example.com",
    "![img](http://example.com/x.png) [[wikilink]] ![[embed]] [^1]\n\n[^1]: footnote",
    "> quote\n>> nested\n> [!note] callout",
    "- item\n- item\n* star\n+ plus",
    "1. one\n2) two\n10. ten\na. alpha\niv) roman\n(1) paren\n(@) example\n#. hash",
    "- [ ] task\n- [x] done",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "a | b\n--- | ---\nc | d",
    "---",
    "***\n___\n- - -\n* * *",
    "title\n===",
    "title\n---",
    "=\n-",
    "line1\n\nline3",
    "a\n\n\n\nb",
    "    indented code\n\tTab indented",
    "  two-space indent\n   - indented list",
    "trailing spaces   \nnext",
    "trailing backslash\\\nnext\\",
    "&amp; &copy; &#65; &#x41; & alone &;",
    "\\*escaped\\* \\\\ backslashes \\",
    "$x^2$ and $$math$$ \\(x\\) 2^10^ H~2~O ~~strike~~",
    "==highlight== %%comment%% 50% off ==",
    "@cite [@key] a@b.com",
    "{{ liquid }} {% tag %} {#id .class} {: .ial}",
    "!!! note\n??? details\n: definition\n::: div\n% title",
    "^ kramdown end\n^block-id",
    "http://example.com/a_b_c www.example.com",
    "1986. A good year.\n2026-11-30: a date",
    "word " * 1500,
    "🙂🙃 👩🏽‍⚕️ 🇩🇪 ❤️",
    "שלום עולם — مرحبا بالعالم",
    "\u202eoverride\u202c and \u200ezero\u200bwidth\u200d\ufeff marks",
    "nul\x00byte bell\x07 esc\x1b del\x7f nel\x85",
    "vt\x0bff\x0c\x1c\x1d\x1e\x1f",
    "\u2028line sep\u2029 para sep\u2028",
    "\u00a0leading nbsp and trailing\u00a0\n\u3000ideographic",
    "CRLF\r\nlines\rand CR",
    "a\n   \nb",
    "a\n   ",
    "\n\nleading and trailing blank lines\n\n",
    " ",
    "(edited)",
    "*(edited)*",
    "Was there a rupture?",
    "**Was there a rupture?**",
    "## 2026-11-04 Wed 20:00 · Post-session check-in",
]

_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def typed_as_shown(text: str) -> str:
    """What Markdown can show of `text`: the characters, with the two normalisations the
    renderer documents (line endings and unshowable controls; runs of empty lines shown as
    one paragraph break; empty lines at the ends dropped)."""
    text = _UNSHOWABLE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def inline_as_shown(text: str) -> str:
    """What a one-line place (heading, question, label) shows of `text`: spaces collapsed."""
    return " ".join(
        _UNSHOWABLE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n")).split()
    )


def github_id(text: str) -> str:
    """GitHub's heading id, written independently of the renderer's."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def split_front_matter(document: str) -> tuple[dict[str, Any], str]:
    assert document.startswith("---\n")
    end = document.index("\n---\n", 4)
    return yaml.safe_load(document[4:end]), document[end + 5 :]


def walk(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        found.append(token)
        if token.children:
            found.extend(walk(token.children))
    return found


def children_of(token: Token | None) -> list[Token]:
    """Inline children without the empty text tokens markdown-it leaves around delimiters."""
    assert token is not None and token.children is not None
    return [c for c in token.children if not (c.type == "text" and c.content == "")]


def inline_text(token: Token) -> str:
    """A paragraph's inline content as plain text; fails on anything but text and breaks."""
    parts = []
    for child in children_of(token):
        assert child.type in ("text", "hardbreak"), f"unexpected {child.type} in {token.content!r}"
        parts.append(child.content if child.type == "text" else "\n")
    return "".join(parts)


@dataclass
class Block:
    kind: str  # heading | paragraph | list
    level: int
    inline: Token | None


def blocks(tokens: list[Token]) -> list[Block]:
    """Top-level blocks: headings, paragraphs and lists (list items are not descended)."""
    result: list[Block] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            if depth == 0:
                result.append(Block("list", 0, None))
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif depth == 0 and token.type == "heading_open":
            result.append(Block("heading", int(token.tag[1]), tokens[index + 1]))
        elif depth == 0 and token.type == "paragraph_open":
            result.append(Block("paragraph", 0, tokens[index + 1]))
        elif (
            depth == 0
            and token.nesting == 1
            and token.type not in ("heading_open", "paragraph_open")
        ):
            raise AssertionError(f"unexpected block {token.type} at line {token.map}")
    return result


def is_question(block: Block) -> bool:
    children = children_of(block.inline) if block.inline else None
    return bool(
        block.kind == "paragraph"
        and children
        and children[0].type == "strong_open"
        and children[-1].type == "strong_close"
    )


def hostile_journal() -> Journal:
    """One reflection per hostile string, in the program title, question and answer alike."""
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    glossary = (
        GlossaryEntry(
            slug="rupture-and-repair",
            name="Rupture & repair: <b>[draft]</b> #1",
            summary="*Summary* with | pipes\n\n- and a list",
            caveat="<i>not</i> a clinical test",
            sources=(
                SourceNote("Review", "A [title]", "Kim, 2018", "# Section", "1-2", ("X & Y",)),
            ),
        ),
        GlossaryEntry(
            slug="therapeutic-alliance",
            name="The therapeutic alliance",
            summary="The partnership.",
            caveat=None,
            sources=(SourceNote("Article", "Alliance", None, "Intro", "5"),),
        ),
    )
    entries = []
    for number, typed in enumerate(HOSTILE):
        answers = (
            JournalAnswer(
                step_id="bond",
                question="How *connected*? <b>",
                kind="rating",
                rating=4,
                scale=("<Low>", "[High]"),
            ),
            JournalAnswer(
                step_id="rupture",
                question="# Rupture?",
                kind="choice",
                choice="x",
                choice_label="- Yes | no",
            ),
            JournalAnswer(
                step_id="note",
                question=typed or "empty",
                kind="text",
                text=typed,
                edited=number % 2 == 0,
            ),
            JournalAnswer(step_id="skip", question="Skipped one", kind="skipped"),
        )
        entries.append(
            JournalEntry(
                reflection_id=number + 1,
                started=start + timedelta(hours=number),
                program_id="post-session-checkin",
                program_title=typed.split("\n")[0] or "untitled",
                status=("completed", "incomplete", "in_progress")[number % 3],
                minutes=3,
                answers=answers,
                concepts=("therapeutic-alliance", "rupture-and-repair"),
            )
        )
    return Journal(
        request=ExportRequest(ExportScope.ALL),
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        zone_name="UTC",
        exported_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        author=HOSTILE[7] + "\n" + HOSTILE[45] + HOSTILE[46],
        entries=tuple(entries),
        glossary=glossary,
        totals=Totals(reflections=len(entries)),
    )


def check_document(document: str, journal: Journal) -> None:
    """The whole structural promise for one rendered document of `journal`."""
    front, body = split_front_matter(document)
    assert front["author"] == journal.author
    assert front["reflections"] == journal.totals.reflections

    tokens = parser().parse(body)
    everything = walk(tokens)
    forbidden = {
        "html_block",
        "html_inline",
        "code_block",
        "fence",
        "code_inline",
        "image",
        "table_open",
        "s_open",
        "hr",
        "blockquote_open",
    }
    assert not [t.type for t in everything if t.type in forbidden]
    assert "<script" not in parser().render(body)

    found = blocks(tokens)
    heading_texts = [
        (b.level, inline_text(b.inline)) for b in found if b.kind == "heading" and b.inline
    ]
    assert heading_texts[0][0] == 1
    assert heading_texts[1 : 1 + len(journal.entries)] == [
        (2, _heading_text(e)) for e in journal.entries
    ]
    tail = heading_texts[1 + len(journal.entries) :]
    names = [entry.name for entry in journal.glossary]
    assert tail == ([(2, "Glossary")] + [(3, name) for name in names] if names else []) + [
        (2, "Totals")
    ]

    # Every concept link lands on a glossary heading of this same file.
    glossary_ids = {github_id(name) for name in names}
    links = [t.attrGet("href") for t in everything if t.type == "link_open"]
    internal = [href for href in links if isinstance(href, str) and href.startswith("#")]
    assert internal and {href[1:] for href in internal} <= glossary_ids

    # Each reflection: heading, facts, then question / answer pairs in order.
    cursor = 0
    for entry in journal.entries:
        while not (found[cursor].kind == "heading" and found[cursor].level == 2):
            cursor += 1
        cursor += 2  # the heading and its facts line
        for answer in entry.answers:
            question = found[cursor]
            assert is_question(question), f"expected a question at {question.inline}"
            inner = children_of(question.inline)[1:-1]
            shown = inline_as_shown(answer.question) or "(question not recorded)"
            assert inline_text(_inline_of(inner)) == shown
            cursor += 1
            paragraphs = []
            while (
                cursor < len(found)
                and found[cursor].kind == "paragraph"
                and not is_question(found[cursor])
            ):
                paragraphs.append(found[cursor])
                cursor += 1
            if answer.kind == "text" and answer.text and answer.text.strip():
                assert _answer_text(paragraphs, edited=answer.edited) == typed_as_shown(answer.text)
            else:
                assert len(paragraphs) == 1


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _heading_text(entry: JournalEntry) -> str:
    suffix = {"incomplete": " (incomplete)", "in_progress": " (in progress)"}.get(entry.status, "")
    started = entry.started
    when = f"{started:%Y-%m-%d} {WEEKDAYS[started.weekday()]} {started:%H:%M}"
    return inline_as_shown(f"{when} · {entry.program_title}{suffix}")


def _inline_of(children: list[Token]) -> Token:
    holder = Token("inline", "", 0)
    holder.children = children
    return holder


def _answer_text(paragraphs: list[Block], *, edited: bool) -> str:
    assert paragraphs, "the answer vanished"
    texts = []
    for index, block in enumerate(paragraphs):
        children = children_of(block.inline)
        if edited and index == len(paragraphs) - 1:
            assert [c.type for c in children[-3:]] == ["em_open", "text", "em_close"]
            assert children[-2].content == "(edited)"
            assert children[-4].type == "text" and children[-4].content.endswith(" ")
            children = [*children[:-4], _with_content(children[-4], children[-4].content[:-1])]
        texts.append(inline_text(_inline_of(children)))
    return "\n\n".join(texts)


def _with_content(token: Token, content: str) -> Token:
    copy = token.copy()
    copy.content = content
    return copy


@pytest.mark.parametrize("typed", HOSTILE, ids=range(len(HOSTILE)))
def test_each_hostile_answer_comes_back_as_typed(typed: str) -> None:
    """Alone in a journal, every hostile string keeps the structure and its own text."""
    journal = hostile_journal()
    index = HOSTILE.index(typed)
    single = _replace_entries(journal, journal.entries[index : index + 1])
    check_document(render(single, bot_username="reflect_test_bot"), single)


def test_all_hostile_answers_in_one_file() -> None:
    """Together, too: nothing one answer does leaks into the next."""
    journal = hostile_journal()
    check_document(render(journal, bot_username="reflect_test_bot"), journal)


def test_every_part_of_a_split_file_keeps_the_structure() -> None:
    """Split at reflection boundaries, each part is a complete, well-formed document."""
    journal = hostile_journal()
    parts = render_parts(journal, max_bytes=40_000, bot_username="reflect_test_bot")
    assert len(parts) > 1
    seen = 0
    for document in parts:
        assert len(document.encode()) <= 40_000
        front, _ = split_front_matter(document)
        count = sum(1 for line in document.splitlines() if line.startswith("## 2026-"))
        # Each part carries the totals of the whole export.
        part_journal = dataclasses.replace(journal, entries=journal.entries[seen : seen + count])
        check_document(document, part_journal)
        assert front["parts"] == len(parts)
        seen += count
    assert seen == len(journal.entries)


@pytest.mark.parametrize(
    "typed", ["# x", "a\nb", "  lead", "1. x", "-", "[x](y)", "<b>", "***", "=="]
)
def test_inline_text_stays_on_one_line_and_literal(typed: str) -> None:
    """Headings, questions and labels: one line, whatever they hold."""
    escaped = escape_inline(typed)
    assert "\n" not in escaped
    tokens = parser().parse(escaped)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert inline_text(tokens[1]) == " ".join(typed.split())


def _replace_entries(journal: Journal, entries: tuple[JournalEntry, ...]) -> Journal:
    return dataclasses.replace(journal, entries=entries, totals=Totals(reflections=len(entries)))


def test_a_reflection_larger_than_the_limit_gets_a_part_of_its_own() -> None:
    """Parts split only between reflections; one too big for the limit still arrives whole."""
    journal = hostile_journal()
    small = _replace_entries(journal, journal.entries[:3])
    assert render_parts(small, max_bytes=10_000_000) == [render(small)]
    big_index = HOSTILE.index("word " * 1500)
    entries = (journal.entries[0], journal.entries[big_index], journal.entries[1])
    parts = render_parts(_replace_entries(journal, entries), max_bytes=4_000)
    assert len(parts) == 3
    assert [p.count("\n## 2026-") for p in parts] == [1, 1, 1]
    assert len(parts[1].encode()) > 4_000 and "word word" in parts[1]
