"""What goes into an export: the command's arguments, local-date ranges, filters and totals."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from reflect_bot.domain.export import (
    ExportArgumentError,
    ExportProblem,
    ExportRequest,
    ExportScope,
    journal_filename,
    parse_export_args,
)
from reflect_bot.domain.timezones import resolve
from tests.unit.export_support import TODAY, checkin, journal_of, repair

CONCEPTS = {"rupture-and-repair", "empathy"}
PROGRAMS = {"post-session-checkin", "rupture-repair"}


def parse(text: str) -> ExportRequest:
    return parse_export_args(text.split(), today=TODAY, concepts=CONCEPTS, programs=PROGRAMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ExportRequest(ExportScope.ALL)),
        (
            "2026-09-01 2026-11-30",
            ExportRequest(ExportScope.RANGE, date(2026, 9, 1), date(2026, 11, 30)),
        ),
        (
            "2026-09-01 to 2026-11-30",
            ExportRequest(ExportScope.RANGE, date(2026, 9, 1), date(2026, 11, 30)),
        ),
        (
            "2026-11-30 2026-11-30",
            ExportRequest(ExportScope.RANGE, date(2026, 11, 30), date(2026, 11, 30)),
        ),
        # TODAY is Monday 2026-11-30: its ISO week runs to Sunday 6 December.
        ("week", ExportRequest(ExportScope.WEEK, date(2026, 11, 30), date(2026, 12, 6))),
        ("WEEK", ExportRequest(ExportScope.WEEK, date(2026, 11, 30), date(2026, 12, 6))),
        (
            "concept Rupture-and-Repair",
            ExportRequest(ExportScope.CONCEPT, concept="rupture-and-repair"),
        ),
        ("program rupture-repair", ExportRequest(ExportScope.PROGRAM, program="rupture-repair")),
    ],
)
def test_arguments_are_read(text: str, expected: ExportRequest) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "problem", "typed"),
    [
        ("yesterday", ExportProblem.USAGE, "yesterday"),
        ("week please", ExportProblem.USAGE, "week"),
        ("2026-02-30 2026-03-01", ExportProblem.BAD_DATE, "2026-02-30"),
        ("2026-09-01 30/11/2026", ExportProblem.BAD_DATE, "30/11/2026"),
        ("01-09-2026 2026-11-30", ExportProblem.BAD_DATE, "01-09-2026"),
        ("2026-09-01", ExportProblem.ONE_DATE, "2026-09-01"),
        ("2026-11-30 2026-09-01", ExportProblem.REVERSED, "2026-11-30 2026-09-01"),
        ("2026-09-01 2026-11-30 extra", ExportProblem.USAGE, "extra"),
        ("concept", ExportProblem.MISSING_CONCEPT, ""),
        ("concept <b>x</b>", ExportProblem.UNKNOWN_CONCEPT, "<b>x</b>"),
        ("program", ExportProblem.MISSING_PROGRAM, ""),
        ("program nope", ExportProblem.UNKNOWN_PROGRAM, "nope"),
        ("program rupture-repair twice", ExportProblem.USAGE, "twice"),
    ],
)
def test_bad_arguments_say_what_is_wrong(text: str, problem: ExportProblem, typed: str) -> None:
    with pytest.raises(ExportArgumentError) as caught:
        parse(text)
    assert (caught.value.problem, caught.value.typed) == (problem, typed)


def test_range_bounds_are_local_midnights_across_a_clock_change() -> None:
    """Berlin leaves summer time on 25 October 2026: the range is 24 h + 25 h long."""
    request = ExportRequest(ExportScope.RANGE, date(2026, 10, 24), date(2026, 10, 25))
    start, end = request.utc_bounds(resolve("Europe/Berlin"))
    assert start == datetime(2026, 10, 23, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert ExportRequest(ExportScope.ALL).utc_bounds(resolve("UTC")) == (None, None)
    last_day = ExportRequest(ExportScope.RANGE, date(9999, 12, 31), date(9999, 12, 31))
    assert last_day.utc_bounds(resolve("UTC"))[1] == datetime.max.replace(tzinfo=UTC)


def test_file_names() -> None:
    assert (
        journal_filename(date(2026, 9, 1), date(2026, 11, 30)) == "journal-2026-09-01-2026-11-30.md"
    )
    assert (
        journal_filename(date(2026, 9, 1), date(2026, 11, 30), part=2, parts=3)
        == "journal-2026-09-01-2026-11-30-part-2-of-3.md"
    )


def test_reflections_belong_to_their_local_day() -> None:
    """23:30 UTC on 30 November is 1 December in Berlin: outside a November export."""
    late = checkin(1, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    early = checkin(2, datetime(2026, 10, 31, 23, 30, tzinfo=UTC))  # 1 November, 00:30 local
    journal = journal_of([late, early])
    assert [entry.reflection_id for entry in journal.entries] == [2]
    assert journal.entries[0].started.isoformat() == "2026-11-01T00:30:00+01:00"


def test_discarded_and_empty_reflections_are_left_out() -> None:
    when = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    kept = [checkin(1, when), checkin(2, when, status="in_progress")]
    dropped = [
        checkin(3, when, status="discarded"),
        dataclasses.replace(checkin(4, when, status="incomplete"), answers=()),
    ]
    journal = journal_of(kept + dropped)
    assert [(e.reflection_id, e.status) for e in journal.entries] == [
        (1, "completed"),
        (2, "in_progress"),
    ]


def test_whole_journal_runs_from_the_first_reflection_to_today() -> None:
    journal = journal_of(
        [checkin(1, datetime(2025, 3, 2, 9, 0, tzinfo=UTC))], ExportRequest(ExportScope.ALL)
    )
    assert (journal.start, journal.end) == (date(2025, 3, 2), TODAY)
    empty = journal_of([], ExportRequest(ExportScope.ALL))
    assert (empty.start, empty.end, empty.is_empty) == (TODAY, TODAY, True)


def test_concept_filter_keeps_reflections_of_its_programs_and_those_naming_it() -> None:
    when = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    reflections = [
        checkin(1, when, note="Nothing special."),
        repair(2, when, "She pulled back.", "I could have been more EMPATHIC."),
        checkin(3, when, note="My empathy ran thin today."),
    ]
    journal = journal_of(reflections, ExportRequest(ExportScope.CONCEPT, concept="empathy"))
    assert [entry.reflection_id for entry in journal.entries] == [2, 3]
    assert journal.filter_label == "Empathy"
    # Program concepts first, then those the answers named.
    assert journal.entries[1].concepts == ("therapeutic-alliance", "rupture-and-repair", "empathy")
    assert [entry.slug for entry in journal.glossary] == [
        "empathy",
        "rupture-and-repair",
        "therapeutic-alliance",
    ]


def test_program_filter() -> None:
    when = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    journal = journal_of(
        [checkin(1, when), repair(2, when, "a", "b")],
        ExportRequest(ExportScope.PROGRAM, program="rupture-repair"),
    )
    assert [entry.reflection_id for entry in journal.entries] == [2]
    assert journal.filter_label == "Rupture repair"


def test_totals_count_reflections_cpd_minutes_ruptures_and_repairs() -> None:
    when = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    reflections = [
        checkin(1, when, rupture="withdrawal", seconds=61),  # 2 min, rounded up as for the digest
        checkin(2, when, rupture="unsure", seconds=0),  # at least 1 min
        checkin(3, when, rupture="none", note="fine", seconds=120),
        repair(4, when, "a", "b", seconds=600),
    ]
    totals = journal_of(reflections).totals
    assert (totals.reflections, totals.cpd_minutes, totals.ruptures, totals.repairs) == (
        4,
        15,
        2,
        1,
    )
    assert totals.answers == 6 + 6 + 7 + 2  # skipped notes are not answers


def test_rating_scales_come_from_the_program_and_choices_keep_their_label() -> None:
    entry = journal_of(
        [checkin(1, datetime(2026, 11, 5, 9, 0, tzinfo=UTC), rupture="withdrawal")]
    ).entries[0]
    bond, rupture = entry.answers[0], entry.answers[4]
    assert (bond.rating, bond.scale) == (4, ("Distant", "Close"))
    assert (rupture.choice, rupture.choice_label) == ("withdrawal", "Yes: the client pulled back")
