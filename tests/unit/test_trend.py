"""The alliance trend: weeks of the clinician's own time zone, gaps left empty, repairs counted
as the digest counts them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reflect_bot.domain.digest import DoneReflection, IsoWeek, RuptureReport
from reflect_bot.domain.trend import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    GivenRating,
    build_trend,
    clamp_weeks,
    span,
)

SYDNEY = ZoneInfo("Australia/Sydney")
CHECKIN, REPAIR = "post-session-checkin", "rupture-repair"


def _done(rid: int, program: str, at: datetime) -> DoneReflection:
    return DoneReflection(rid, program, program, at, 300)


def _ratings(rid: int, bond: int, goals: int, tasks: int, overall: int) -> list[GivenRating]:
    return [
        GivenRating(rid, step, value)
        for step, value in zip(
            ("bond", "goals", "tasks", "overall"), (bond, goals, tasks, overall), strict=True
        )
    ]


def test_weeks_are_the_clinicians_own_and_empty_weeks_stay_empty() -> None:
    """Monday 08:00 in Sydney is Sunday evening in UTC: it belongs to Sydney's new week."""
    last = IsoWeek(2026, 48)
    weeks = span(last, 4)
    monday_morning = datetime(2026, 11, 23, 8, 0, tzinfo=SYDNEY).astimezone(UTC)  # W48
    assert monday_morning.isocalendar().week == 47  # in UTC it is still week 47
    earlier = datetime(2026, 11, 3, 18, 0, tzinfo=SYDNEY).astimezone(UTC)  # W45
    trend = build_trend(
        weeks=weeks,
        zone=SYDNEY,
        check_ins=[_done(1, CHECKIN, earlier), _done(2, CHECKIN, monday_morning)],
        repairs=[],
        ratings=[*_ratings(1, 3, 3, 4, 3), *_ratings(2, 5, 4, 4, 5)],
        ruptures=[],
        repair_program=REPAIR,
    )
    assert [week.week for week in trend.weeks] == [IsoWeek(2026, w) for w in (45, 46, 47, 48)]
    assert trend.weeks[0].tenths == {"bond": 30, "goals": 30, "tasks": 40, "overall": 30}
    assert trend.weeks[1].tenths == {"bond": None, "goals": None, "tasks": None, "overall": None}
    assert not trend.weeks[2].rated
    assert trend.weeks[3].tenths["bond"] == 50
    assert trend.weeks_rated == 2 and trend.drawable


def test_averages_pool_every_check_in_of_the_week() -> None:
    at = datetime(2026, 11, 24, 9, tzinfo=UTC)
    trend = build_trend(
        weeks=span(IsoWeek(2026, 48), 2),
        zone=UTC,
        check_ins=[_done(1, CHECKIN, at), _done(2, CHECKIN, at.replace(hour=15))],
        repairs=[],
        ratings=[*_ratings(1, 4, 4, 4, 4), *_ratings(2, 5, 3, 4, 4)],
        ruptures=[],
        repair_program=REPAIR,
    )
    week = trend.weeks[-1]
    assert week.check_ins == 2
    assert week.tenths == {"bond": 45, "goals": 35, "tasks": 40, "overall": 40}
    assert not trend.drawable  # one week with ratings is not yet a trend


def test_a_repair_after_a_rupture_in_the_same_week_counts_as_repaired() -> None:
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    trend = build_trend(
        weeks=span(IsoWeek(2026, 48), 2),
        zone=UTC,
        check_ins=[_done(1, CHECKIN, monday), _done(2, CHECKIN, monday.replace(day=25))],
        repairs=[_done(3, REPAIR, monday.replace(day=24))],
        ratings=[*_ratings(1, 2, 2, 2, 2), *_ratings(2, 3, 3, 3, 3)],
        ruptures=[RuptureReport(1, "withdrawal"), RuptureReport(2, "confrontation")],
        repair_program=REPAIR,
    )
    week = trend.weeks[-1]
    assert (week.ruptures, week.repairs) == (2, 1)  # the second rupture came after the repair


def test_ratings_of_reflections_outside_the_span_are_ignored() -> None:
    trend = build_trend(
        weeks=span(IsoWeek(2026, 48), 2),
        zone=UTC,
        check_ins=[_done(1, CHECKIN, datetime(2026, 10, 1, tzinfo=UTC))],
        repairs=[],
        ratings=_ratings(1, 5, 5, 5, 5),
        ruptures=[RuptureReport(1, "withdrawal")],
        repair_program=REPAIR,
    )
    assert trend.weeks_rated == 0
    assert all(week.ruptures == 0 for week in trend.weeks)


def test_the_span_asked_for_is_kept_within_what_a_phone_shows() -> None:
    assert clamp_weeks(None) == DEFAULT_WEEKS
    assert clamp_weeks(1) == 2
    assert clamp_weeks(500) == MAX_WEEKS
    assert span(IsoWeek(2026, 2), 3) == (IsoWeek(2025, 52), IsoWeek(2026, 1), IsoWeek(2026, 2))
