"""The supervision brief's Markdown file renders as intended whatever the clinician typed:
one section per marked reflection, their words quoted and literal, room for questions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from markdown_it import MarkdownIt

from reflect_bot.domain.export import StoredAnswer, StoredReflection
from reflect_bot.domain.supervision import build_brief
from reflect_bot.render.brief import render_brief
from tests.unit.test_export_commonmark import inline_text

HOSTILE = [
    "# not a heading",
    "- not a list *or emphasis* `nor code`",
    "> not a quote </details> <b>nor HTML</b>",
    "```\nnot a fence\n```",
    "[not](a link) \\ back\\slash | pipe",
]


def _reflection(reflection_id: int, text: str, *, rupture: str = "none") -> StoredReflection:
    answers = (
        StoredAnswer(1, "bond", "How connected did you feel?", "rating", rating=4),
        StoredAnswer(
            2,
            "rupture",
            "Was there a rupture?",
            "choice",
            choice=rupture,
            choice_label="Yes: pulled back",
        ),
        StoredAnswer(3, "note", "Anything else?", "text", text=text),
    )
    return StoredReflection(
        id=reflection_id,
        program_id="post-session-checkin",
        program_title="Post-session check-in",
        status="completed",
        started_at=datetime(2026, 11, reflection_id, 18, 0, tzinfo=UTC),
        finished_at=None,
        seconds_spent=120,
        answers=answers,
    )


def test_each_marked_reflection_is_a_section_with_its_words_as_typed() -> None:
    reflections = [_reflection(n, typed) for n, typed in enumerate(HOSTILE, start=1)]
    reflections[0] = _reflection(1, HOSTILE[0], rupture="withdrawal")
    brief = build_brief(reflections, zone=UTC, since=date(2026, 10, 30))
    tokens = MarkdownIt("commonmark").parse(render_brief(brief))

    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == [
        "For supervision",
        *(f"2026-11-0{n} · Post-session check-in" for n in range(1, len(HOSTILE) + 1)),
        "What I want to ask",
    ]
    quoted = [
        inline_text(tokens[i + 2])
        for i, t in enumerate(tokens)
        if t.type == "blockquote_open" and tokens[i + 2].type == "inline"
    ]
    # Each answer on one line (cut cleanly flattens it), every character literal.
    assert quoted == [" ".join(typed.split()) for typed in HOSTILE]
    shown = render_brief(brief)
    assert shown.count("Rupture: Yes: pulled back") == 1 and shown.count("Bond 4/5") == len(HOSTILE)
    assert not any(t.type in ("fence", "html_block", "html_inline", "link_open") for t in tokens)
