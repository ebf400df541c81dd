"""Time zones are read from what clinicians type and resolved the same way everywhere."""

from datetime import UTC, datetime, timedelta

import pytest

from reflect_bot.domain.timezones import (
    clinician_zone,
    knows_zone,
    local_zone,
    parse_timezone,
    resolve,
)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  America/New_York ", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("Toronto", "America/Toronto"),
        ("kolkata", "Asia/Kolkata"),
        ("UTC", "UTC"),
        ("GMT", "UTC"),
        ("UTC+2", "UTC+02:00"),
        ("utc-5", "UTC-05:00"),
        ("UTC+5:30", "UTC+05:30"),
        ("+0545", "UTC+05:45"),
        ("GMT+0", "UTC"),
    ],
)
def test_understands_names_cities_and_offsets(typed: str, zone: str) -> None:
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize(
    "typed", ["", "Mars/Olympus", "UTC+15", "UTC+3:75", "<b>x</b>", "x" * 500, "🙂"]
)
def test_rejects_what_is_not_a_zone(typed: str) -> None:
    assert parse_timezone(typed) is None


def test_offsets_resolve_with_the_sign_people_expect() -> None:
    moment = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert moment.astimezone(resolve("UTC+05:30")).utcoffset() == timedelta(hours=5, minutes=30)
    assert moment.astimezone(resolve("UTC-05:00")).hour == 7


def test_iana_zones_follow_daylight_saving() -> None:
    berlin = resolve("Europe/Berlin")
    assert datetime(2026, 1, 15, 12, tzinfo=UTC).astimezone(berlin).hour == 13
    assert datetime(2026, 7, 15, 12, tzinfo=UTC).astimezone(berlin).hour == 14


@pytest.mark.parametrize("stored", [None, "", "Mars/Olympus_Mons"])
def test_a_clinician_without_a_known_zone_is_read_in_utc(stored: str | None) -> None:
    """No zone yet, or one this machine's tz database no longer knows: UTC, never an error."""
    assert clinician_zone(stored) == ("UTC", UTC)


def test_a_clinicians_known_zone_is_kept_with_its_name() -> None:
    name, zone = clinician_zone("UTC+05:30")
    assert name == "UTC+05:30"
    assert datetime(2026, 1, 1, tzinfo=UTC).astimezone(zone).hour == 5
    assert local_zone("UTC+05:30") == zone
    assert local_zone("Mars/Olympus_Mons") is UTC


def test_only_a_set_zone_this_machine_knows_can_time_prompts() -> None:
    assert knows_zone("Europe/Berlin") and knows_zone("UTC") and knows_zone("UTC-05:00")
    assert not any(knows_zone(stored) for stored in (None, "", "Mars/Olympus_Mons"))
