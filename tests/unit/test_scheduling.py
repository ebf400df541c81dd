"""Weekly local times: one due moment per local date, on time across DST, gaps and folds."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from reflect_bot.catalog import default_prompts_dir, load_catalog
from reflect_bot.domain import scheduling as s
from reflect_bot.domain.timezones import resolve
from tests.shipped import PROGRAM_IDS

NINE = time(9, 0)


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # (zone, a date before its DST change, a date after it) — both directions.
        ("Europe/London", date(2026, 3, 28), date(2026, 3, 30)),
        ("Europe/London", date(2026, 10, 24), date(2026, 10, 26)),
        ("America/New_York", date(2026, 3, 7), date(2026, 3, 9)),
        ("America/New_York", date(2026, 10, 31), date(2026, 11, 2)),
        ("Australia/Lord_Howe", date(2026, 4, 4), date(2026, 4, 6)),
        ("Australia/Lord_Howe", date(2026, 10, 3), date(2026, 10, 5)),
        ("Asia/Kolkata", date(2026, 3, 28), date(2026, 3, 30)),
    ],
)
def test_nine_local_stays_nine_local_across_a_dst_change(
    zone: str, before: date, after: date
) -> None:
    """09:00 is 09:00 on the wall clock on both sides of the change, whatever UTC says."""
    tz = resolve(zone)
    found = list(
        s.occurrences(
            s.EVERY_DAY, NINE, tz, start=s.day_bounds(before, tz)[0], end=s.day_bounds(after, tz)[1]
        )
    )
    assert [o.local_date for o in found] == [before, before + timedelta(days=1), after]
    for occurrence in found:
        local = occurrence.due_at.astimezone(tz)
        assert (local.date(), local.time()) == (occurrence.local_date, NINE)
    offsets = {o.due_at.astimezone(tz).utcoffset() for o in found}
    assert len(offsets) == (1 if zone == "Asia/Kolkata" else 2)


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected_utc", "expected_local"),
    [
        # Spring forward: the missing wall time moves forward by the gap.
        ("Europe/London", date(2026, 3, 29), time(1, 30), _utc(2026, 3, 29, 1, 30), time(2, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), _utc(2026, 3, 8, 7, 30), time(3, 30)),
        # Lord Howe jumps 02:00 → 02:30: 02:15 becomes 02:45.
        (
            "Australia/Lord_Howe",
            date(2026, 10, 4),
            time(2, 15),
            _utc(2026, 10, 3, 15, 45),
            time(2, 45),
        ),
    ],
)
def test_a_time_in_the_spring_forward_gap_moves_forward(
    zone: str, day: date, wall: time, expected_utc: datetime, expected_local: time
) -> None:
    tz = resolve(zone)
    due = s.due_moment(day, wall, tz)
    assert due == expected_utc
    assert due.astimezone(tz).time() == expected_local
    assert due.astimezone(tz).date() == day


@pytest.mark.parametrize(
    ("zone", "day", "wall", "first_utc"),
    [
        ("Europe/London", date(2026, 10, 25), time(1, 30), _utc(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), _utc(2026, 11, 1, 5, 30)),
        # Lord Howe falls back 02:00 → 01:30: 01:45 happens twice, at +11 then at +10:30.
        ("Australia/Lord_Howe", date(2026, 4, 5), time(1, 45), _utc(2026, 4, 4, 14, 45)),
    ],
)
def test_an_ambiguous_fall_back_time_is_due_once_at_its_first_occurrence(
    zone: str, day: date, wall: time, first_utc: datetime
) -> None:
    tz = resolve(zone)
    assert s.due_moment(day, wall, tz) == first_utc
    second = datetime.combine(day, wall, tzinfo=ZoneInfo(zone)).replace(fold=1).astimezone(UTC)
    assert second > first_utc, "the wall time really does happen twice"
    around = list(
        s.occurrences(
            s.EVERY_DAY,
            wall,
            tz,
            start=first_utc - timedelta(hours=3),
            end=second + timedelta(hours=3),
        )
    )
    assert [o.due_at for o in around] == [first_utc]


def test_fixed_offset_zones_work_like_any_other() -> None:
    tz = resolve("UTC+05:30")
    assert s.due_moment(date(2026, 1, 5), NINE, tz) == _utc(2026, 1, 5, 3, 30)


def test_only_chosen_weekdays_occur() -> None:
    tz = resolve("Europe/London")
    monday = date(2026, 11, 2)
    found = s.occurrences(
        s.mask_of([s.MONDAY, s.WEDNESDAY]),
        NINE,
        tz,
        start=s.day_bounds(monday, tz)[0],
        end=s.day_bounds(monday + timedelta(days=13), tz)[1],
    )
    assert [o.local_date.weekday() for o in found] == [0, 2, 0, 2]
    assert s.days_of(s.WEEKDAYS) == (0, 1, 2, 3, 4)
    assert s.toggle_day(s.WEEKDAYS, s.FRIDAY) == 0b0001111


def test_next_occurrence_is_strictly_after() -> None:
    tz = resolve("Asia/Kolkata")
    at_nine = s.due_moment(date(2026, 11, 2), NINE, tz)
    nxt = s.next_occurrence(s.EVERY_DAY, NINE, tz, after=at_nine)
    assert nxt is not None and nxt.local_date == date(2026, 11, 3)
    assert s.next_occurrence(0, NINE, tz, after=at_nine) is None


def test_rotation_walks_through_every_program_on_weekday_schedules() -> None:
    rotation = s.rotation_programs(load_catalog(default_prompts_dir()))
    assert "post-session-checkin" not in rotation
    assert rotation == [p for p in PROGRAM_IDS if p != "post-session-checkin"]  # menu order
    start = date(2026, 11, 2)
    picks = [s.rotation_pick(rotation, s.WEEKDAYS, start + timedelta(days=i)) for i in range(14)]
    weekday_picks = [p for i, p in enumerate(picks) if (start + timedelta(days=i)).weekday() < 5]
    assert all(a != b for a, b in itertools.pairwise(weekday_picks))
    assert set(weekday_picks) == set(rotation)
    assert s.rotation_pick([], s.WEEKDAYS, start) is None


def test_pause_ends_at_local_midnight_after_the_last_paused_day() -> None:
    tz = resolve("America/New_York")
    now = _utc(2026, 11, 2, 15, 0)  # Monday 10:00 in New York
    end = s.pause_end(now, tz, 3)
    assert end.astimezone(tz) == datetime(2026, 11, 5, 0, 0, tzinfo=tz)
    assert s.is_paused(end, end - timedelta(seconds=1)) and not s.is_paused(end, end)
    forever = s.pause_end(now, tz, None)
    assert s.is_indefinite(forever) and forever.astimezone(resolve("UTC+14:00")).year == 9000
    with pytest.raises(ValueError, match=r"1\.\.365"):
        s.pause_end(now, tz, 0)


def test_tonight_is_offered_until_half_past_seven() -> None:
    tz = resolve("Europe/London")
    assert s.tonight(_utc(2026, 11, 2, 18, 0), tz) == _utc(2026, 11, 2, 20, 0)
    assert s.tonight(_utc(2026, 11, 2, 19, 45), tz) is None


def test_starter_plan_is_checkin_on_weekday_evenings_one_deeper_exercise_and_sunday_digest() -> (
    None
):
    checkin, deeper, digest = s.starter_plan(load_catalog(default_prompts_dir()))
    assert (checkin.program_id, checkin.weekdays) == ("post-session-checkin", s.WEEKDAYS)
    assert deeper.program_id is None and deeper.weekdays.bit_count() == 1
    assert (digest.kind, s.days_of(digest.weekdays), digest.local_time) == (
        "digest",
        (s.SUNDAY,),
        time(18, 0),
    )
