"""The export shows each learning goal with its follow-ups beneath it: golden output, and
hostile words that stay words (no heading, list or quote of their own)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from markdown_it import MarkdownIt

from reflect_bot.domain.export import ExportRequest, ExportScope, build_journal
from reflect_bot.domain.goals import CheckInOutcome, ExportedCheckIn, ExportedGoal
from reflect_bot.render.markdown import render
from tests.unit.export_support import EXPORTED_AT, TODAY, checkin, journal_of, small_catalog
from tests.unit.test_export_commonmark import inline_text

KEPT = ExportedGoal(
    text="Ask “How was today for you?” before the last five minutes.",
    program_title="Post-session check-in",
    set_on=date(2026, 11, 2),
    closed_on=None,
    follow_up_on=date(2026, 11, 23),
    check_ins=(
        ExportedCheckIn(
            date(2026, 11, 9), True, "She said it helped.\nI'll keep at it.", CheckInOutcome.KEPT
        ),
    ),
)
CLOSED = ExportedGoal(
    text="Name the strain earlier",
    program_title="Rupture and repair",
    set_on=date(2026, 11, 3),
    closed_on=date(2026, 11, 17),
    follow_up_on=None,
    check_ins=(
        ExportedCheckIn(date(2026, 11, 10), False, None, CheckInOutcome.CHANGED),
        ExportedCheckIn(date(2026, 11, 17), True, "Done twice.", CheckInOutcome.CLOSED),
    ),
)

GOLDEN = """## Learning goals

### Goal set 2026-11-02

Ask “How was today for you?” before the last five minutes.

*Set in Post-session check-in · open, next follow-up 2026-11-23*

> **Follow-up 2026-11-09: tried it · kept**
>
> She said it helped.<hard break>
> I'll keep at it.

### Goal set 2026-11-03

Name the strain earlier

*Set in Rupture and repair · closed 2026-11-17*

> **Follow-up 2026-11-10: not yet · changed**

> **Follow-up 2026-11-17: tried it · closed**
>
> Done twice.

## Totals""".replace("<hard break>", "  ")  # Markdown's line break: two spaces


def _document(*goals: ExportedGoal, request: ExportRequest | None = None) -> str:
    journal = journal_of([checkin(1, datetime(2026, 11, 2, 19, 0, tzinfo=UTC))], request)
    return render(dataclasses.replace(journal, goals=goals))


def test_each_goal_is_shown_with_its_follow_ups_beneath_it() -> None:
    document = _document(KEPT, CLOSED)
    start = document.index("## Learning goals")
    assert document[start : document.index("## Totals") + len("## Totals")] == GOLDEN
    assert start > document.index("## Glossary")  # the glossary's anchors are untouched


def test_hostile_goal_words_stay_words() -> None:
    hostile = dataclasses.replace(
        KEPT,
        text="# not a heading\n- not a list\n> not a quote",
        check_ins=(ExportedCheckIn(date(2026, 11, 9), True, "## nor this\n</details>", None),),
    )
    everything = MarkdownIt("commonmark").parse(_document(hostile))
    start = next(i for i, t in enumerate(everything) if t.content == "Learning goals")
    end = next(i for i, t in enumerate(everything) if t.content == "Totals") - 1
    tokens = everything[start:end]  # the goals section
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Goal set 2026-11-02"]
    assert not any(t.type == "bullet_list_open" for t in tokens)
    quotes = [t for t in tokens if t.type == "blockquote_open"]
    assert len(quotes) == 1  # the follow-up's own quote, nothing the clinician typed
    # The goal and what happened are plain text (nothing but text and line breaks), as typed.
    words = [t for t in tokens if t.type == "inline" and not t.content.startswith(("*", "#"))]
    words = [t for t in words if t.content not in ("Learning goals", "Goal set 2026-11-02")]
    shown = [inline_text(t) for t in words]
    assert "# not a heading\n- not a list\n> not a quote" in shown
    assert "## nor this\n</details>" in shown


def test_goals_set_within_the_dates_are_exported_and_none_for_one_program() -> None:
    def exported(request: ExportRequest) -> tuple[ExportedGoal, ...]:
        return build_journal(
            request,
            [checkin(1, datetime(2026, 11, 2, 19, 0, tzinfo=UTC))],
            catalog=small_catalog(),
            zone_name="Europe/Berlin",
            today=TODAY,
            exported_at=EXPORTED_AT,
            goals=[KEPT, CLOSED],
        ).goals

    whole = ExportRequest(ExportScope.RANGE, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert exported(whole) == (KEPT, CLOSED)
    one_day = ExportRequest(ExportScope.RANGE, start=date(2026, 11, 3), end=date(2026, 11, 3))
    assert exported(one_day) == (CLOSED,)
    program = ExportRequest(ExportScope.PROGRAM, program="post-session-checkin")
    assert exported(program) == ()
