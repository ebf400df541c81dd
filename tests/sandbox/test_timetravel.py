"""Where "next Sunday 18:00" lands, in the clinician's own zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from reflect_bot.domain.scheduling import SUNDAY
from reflect_bot.domain.timezones import resolve
from reflect_bot.sandbox import next_weekday_at

EVENING = time(18, 0)


def test_later_the_same_sunday() -> None:
    london = ZoneInfo("Europe/London")
    sunday_noon = datetime(2026, 11, 8, 12, 0, tzinfo=UTC)
    assert next_weekday_at(sunday_noon, london, SUNDAY, EVENING) == datetime(
        2026, 11, 8, 18, 0, tzinfo=UTC
    )


def test_exactly_then_means_a_week_later() -> None:
    london = ZoneInfo("Europe/London")
    sunday_evening = datetime(2026, 11, 8, 18, 0, tzinfo=UTC)
    assert next_weekday_at(sunday_evening, london, SUNDAY, EVENING) == datetime(
        2026, 11, 15, 18, 0, tzinfo=UTC
    )


def test_the_local_sunday_not_the_utc_one() -> None:
    # Saturday 22:00 UTC is already Sunday morning in Auckland (UTC+13 in November).
    auckland = ZoneInfo("Pacific/Auckland")
    saturday_night_utc = datetime(2026, 11, 7, 22, 0, tzinfo=UTC)
    landed = next_weekday_at(saturday_night_utc, auckland, SUNDAY, EVENING)
    assert landed == datetime(2026, 11, 8, 5, 0, tzinfo=UTC)
    assert landed.astimezone(auckland).strftime("%a %H:%M") == "Sun 18:00"


def test_across_the_clocks_going_back_and_in_a_fixed_offset_zone() -> None:
    # London leaves summer time on Sunday 25 October 2026: 18:00 that evening is UTC+0.
    london = ZoneInfo("Europe/London")
    friday = datetime(2026, 10, 23, 9, 0, tzinfo=UTC)
    assert next_weekday_at(friday, london, SUNDAY, EVENING) == datetime(
        2026, 10, 25, 18, 0, tzinfo=UTC
    )
    kolkata = resolve("UTC+05:30")
    assert next_weekday_at(friday, kolkata, SUNDAY, EVENING) == datetime(
        2026, 10, 25, 12, 30, tzinfo=UTC
    )
