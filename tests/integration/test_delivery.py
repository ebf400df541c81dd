"""Prompts arrive once, on time in local time, and after downtime only within the window.

Every test runs on SQLite and PostgreSQL with an injected clock and the real emulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from reflect_bot.db.engine import transaction
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from tests import factories
from tests.integration.delivery_world import World, delivery_world


@pytest.fixture
async def world(migrated_url: str, encryption_key: str) -> AsyncIterator[World]:
    async with delivery_world(migrated_url, encryption_key) as w:
        yield w


def _local(zone: str, day: date, at: time) -> datetime:
    return scheduling.due_moment(day, at, resolve(zone))


async def test_a_due_prompt_names_its_program_and_offers_start_snooze_skip(world: World) -> None:
    await world.clinician(1, "Europe/London", at=time(9, 0))
    world.clock.set(_local("Europe/London", date(2026, 11, 2), time(8, 59)))
    assert (await world.tick()).sent == 0
    assert world.prompts_to(1) == []

    world.clock.set(_local("Europe/London", date(2026, 11, 2), time(9, 0)))
    report = await world.tick()
    assert report.sent == 1
    (prompt,) = world.prompts_to(1)
    checkin = world.services.catalog.program("post-session-checkin")
    assert prompt.text is not None
    assert checkin.title in prompt.text
    assert f"about {checkin.duration_minutes} min" in prompt.text
    assert prompt.button_texts == ["Start now", "Snooze 1 h", "Tonight", "Skip"]


async def test_planning_twice_and_two_ticks_at_once_send_each_prompt_once(world: World) -> None:
    users = range(100, 116)
    for user in users:
        await world.clinician(user, "America/New_York", at=time(9, 0))
    # Plan the same slice again, as a second process or a repeated tick would.
    await world.tick()
    await world.tick()
    rows_before = len(await world.rows())
    world.clock.set(_local("America/New_York", date(2026, 11, 2), time(9, 0)))

    first, second = await asyncio.gather(world.tick(), world.tick())

    assert first.sent + second.sent == len(users)
    for user in users:
        assert len(world.prompts_to(user)) == 1, f"clinician {user} got a duplicate or nothing"
    rows = await world.rows()
    assert len(rows) == rows_before, "planning again added no rows"
    assert len({(r.clinician_id, r.schedule_id, r.local_date) for r in rows}) == len(rows)
    assert sum(r.status == "sent" for r in rows) == len(users)
    assert (await world.tick()).sent == 0


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        # The day before, of, and after each change: spring forward, then fall back.
        (
            "Europe/London",
            ["2026-03-28", "2026-03-29", "2026-03-30", "2026-10-24", "2026-10-25", "2026-10-26"],
        ),
        (
            "America/New_York",
            ["2026-03-07", "2026-03-08", "2026-03-09", "2026-10-31", "2026-11-01", "2026-11-02"],
        ),
        # Lord Howe shifts by 30 minutes: back in April, forward in October.
        (
            "Australia/Lord_Howe",
            ["2026-04-04", "2026-04-05", "2026-04-06", "2026-10-03", "2026-10-04", "2026-10-05"],
        ),
        ("Asia/Kolkata", ["2026-03-28", "2026-03-29", "2026-03-30"]),
    ],
)
async def test_nine_oclock_arrives_at_nine_local_on_both_sides_of_a_dst_change(
    migrated_url: str, encryption_key: str, zone: str, days: list[str]
) -> None:
    tz = resolve(zone)
    dates = [date.fromisoformat(day) for day in days]
    async with delivery_world(
        migrated_url, encryption_key, start=_local(zone, dates[0], time(0, 0))
    ) as world:
        await world.clinician(7, zone, at=time(9, 0))
        for count, day in enumerate(dates):
            world.clock.set(_local(zone, day, time(8, 59)))
            await world.tick()
            assert len(world.prompts_to(7)) == count, f"nothing before 09:00 on {day}"
            world.clock.set(_local(zone, day, time(9, 0)))
            await world.tick()
            assert len(world.prompts_to(7)) == count + 1, f"one prompt at 09:00 on {day}"
        sent = [
            r.sent_at.astimezone(tz) for r in await world.rows() if r.status == "sent" and r.sent_at
        ]
        assert [(moment.date(), moment.time()) for moment in sent] == [
            (d, time(9, 0)) for d in dates
        ]
        offsets = {moment.utcoffset() for moment in sent}
        assert len(offsets) == (1 if zone == "Asia/Kolkata" else 2), "UTC moved; local time did not"


@pytest.mark.parametrize(
    ("zone", "day", "wall", "arrives"),
    [
        ("Europe/London", date(2026, 3, 29), time(1, 30), time(2, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), time(3, 30)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), time(2, 45)),
    ],
)
async def test_a_time_skipped_by_spring_forward_arrives_moved_forward(
    migrated_url: str, encryption_key: str, zone: str, day: date, wall: time, arrives: time
) -> None:
    tz = resolve(zone)
    start = _local(zone, day, time(0, 0)) - timedelta(hours=2)
    async with delivery_world(migrated_url, encryption_key, start=start) as world:
        await world.clinician(8, zone, at=wall)
        moment = start
        while moment < start + timedelta(hours=8):  # a tick every 15 minutes through the night
            world.clock.set(moment)
            await world.tick()
            moment += timedelta(minutes=15)
        (row,) = [r for r in await world.rows() if r.status == "sent"]
        assert row.sent_at is not None
        assert row.sent_at.astimezone(tz).time() == arrives
        assert len(world.prompts_to(8)) == 1


@pytest.mark.parametrize(
    ("zone", "day", "wall"),
    [
        ("Europe/London", date(2026, 10, 25), time(1, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30)),
        ("Australia/Lord_Howe", date(2026, 4, 5), time(1, 45)),
    ],
)
async def test_a_time_repeated_by_fall_back_is_sent_once_at_its_first_occurrence(
    migrated_url: str, encryption_key: str, zone: str, day: date, wall: time
) -> None:
    tz = resolve(zone)
    first = _local(zone, day, wall)
    async with delivery_world(
        migrated_url, encryption_key, start=first - timedelta(hours=3)
    ) as world:
        await world.clinician(9, zone, at=wall)
        moment = first - timedelta(hours=1)
        while moment < first + timedelta(hours=3):  # through both occurrences of the wall time
            world.clock.set(moment)
            await world.tick()
            moment += timedelta(minutes=15)
        assert len(world.prompts_to(9)) == 1
        (row,) = [r for r in await world.rows() if r.status == "sent"]
        assert row.sent_at == first
        assert row.sent_at.astimezone(tz).fold == 0


async def test_after_downtime_recent_prompts_go_out_late_once_and_older_ones_are_missed(
    world: World,
) -> None:
    day = date(2026, 11, 2)
    await world.clinician(21, "Europe/London", at=time(9, 0))
    await world.clinician(22, "Europe/London", at=time(11, 0))
    await world.tick()  # 08:00: plans, sends nothing
    # The bot is down from 08:00 until 12:30; the window is 2 hours.
    world.clock.set(_local("Europe/London", day, time(12, 30)))
    report = await world.tick()
    assert report.sending.missed == 1 and report.sent == 1
    assert world.prompts_to(21) == [], "3.5 hours late: missed, not sent"
    assert len(world.prompts_to(22)) == 1, "1.5 hours late: still sent, once"
    assert (await world.tick()).sent == 0


async def test_a_long_outage_records_missed_days_and_sends_no_burst(
    migrated_url: str, encryption_key: str
) -> None:
    async with delivery_world(migrated_url, encryption_key) as world:
        await world.clinician(31, "Asia/Kolkata", at=time(9, 0))
        await world.tick()
    # A fresh process (new services, new planner) four days later, at 10:00 in Kolkata.
    later = _local("Asia/Kolkata", date(2026, 11, 6), time(10, 0))
    async with delivery_world(migrated_url, encryption_key, start=later) as world:
        world.emulator.private_chat(31, "Clinician 31", started=True)
        report = await world.tick()
        assert report.sent == 1, "only today's prompt, an hour late, is sent"
        rows = await world.rows()
        assert [r.local_date for r in rows if r.status == "sent"] == [date(2026, 11, 6)]
        assert {r.local_date for r in rows if r.status == "missed"} >= {
            date(2026, 11, 3),
            date(2026, 11, 4),
            date(2026, 11, 5),
        }


async def test_a_rotating_schedule_offers_a_different_deeper_program_each_time(
    world: World,
) -> None:
    await world.clinician(41, "UTC", at=time(9, 0), program_id=None)
    for offset in range(3):
        world.clock.set(datetime(2026, 11, 2 + offset, 9, 0, tzinfo=UTC))
        await world.tick()
    titles = [(m.text or "").split("\n")[1] for m in world.prompts_to(41)]
    assert len(titles) == 3 and len(set(titles)) == 3
    checkin = world.services.catalog.program("post-session-checkin").title
    assert all(checkin not in title for title in titles)


async def test_a_program_already_completed_today_is_not_prompted_again(world: World) -> None:
    """Completed at 08:30 local today: the 09:00 check-in prompt is skipped; others still go."""
    await world.clinician(51, "Europe/London", at=time(9, 0))
    await world.clinician(51, "Europe/London", at=time(9, 0), program_id="secure-base")
    nine = _local("Europe/London", date(2026, 11, 2), time(9, 0))
    (person,) = {r.clinician_id for r in await world.rows()}
    async with transaction(world.services.sessions) as session:
        session.add(
            factories.reflection(
                clinician_id=person,
                program_title="Check-in",
                status="completed",
                started_at=nine - timedelta(minutes=40),
                finished_at=nine - timedelta(minutes=30),
            )
        )
    world.clock.set(nine)
    report = await world.tick()
    assert (report.sent, report.sending.skipped) == (1, 1)
    (prompt,) = world.prompts_to(51)
    assert world.services.catalog.program("secure-base").title in (prompt.text or "")
