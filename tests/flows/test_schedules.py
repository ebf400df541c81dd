"""Schedule use cases, without Telegram: every change is planned at once, in local time, and
a button for someone else's schedule or prompt changes nothing.

Each test runs on a real SQLite file and on PostgreSQL (the `sessions` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Delivery
from reflect_bot.db.repositories import clinicians
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.flows import schedules as flows

Sessions = async_sessionmaker[AsyncSession]
MONDAY = date(2026, 11, 2)
CHECKIN = "post-session-checkin"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # a Monday morning


def _at(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    return scheduling.due_moment(day, time(hour, minute), resolve(zone))


async def _clinician(
    sessions: Sessions, clock: FixedClock, user: int = 1, zone: str = "Europe/London"
) -> int:
    async with transaction(sessions) as session:
        person = await clinicians.register(
            session, telegram_user_id=user, chat_id=user, display_name="Dr X", now=clock.now()
        )
        await clinicians.set_timezone(session, clinician=person, zone=zone, now=clock.now())
        assert person.id is not None
        return person.id


async def _pending(sessions: Sessions, clinician_id: int) -> list[Delivery]:
    async with transaction(sessions) as session:
        rows = await session.execute(
            select(Delivery)
            .where(col(Delivery.clinician_id) == clinician_id, col(Delivery.status) == "pending")
            .order_by(col(Delivery.due_at))
        )
        return list(rows.scalars())


async def _add_checkin(
    sessions: Sessions, catalog: Catalog, clock: FixedClock, cid: int, at: time = time(18, 30)
) -> flows.Saved:
    return await flows.add_schedule(
        sessions,
        catalog,
        clock,
        clinician_id=cid,
        kind="prompt",
        program_id=CHECKIN,
        weekdays=scheduling.WEEKDAYS,
        local_time=at,
    )


async def test_an_added_prompt_is_planned_at_once_at_its_local_time(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock, zone="America/New_York")

    saved = await _add_checkin(sessions, catalog, clock, cid)

    assert [s.id for s in saved.plans] == [saved.schedule.id]
    assert (saved.schedule.program_id, saved.schedule.local_time) == (CHECKIN, time(18, 30))
    first = (await _pending(sessions, cid))[0]
    assert first.due_at == _at("America/New_York", MONDAY, 18, 30)  # 23:30 UTC
    assert first.program_id == CHECKIN


async def test_a_changed_time_moves_the_pending_prompt_in_the_same_change(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock)
    added = await _add_checkin(sessions, catalog, clock, cid)
    assert added.schedule.id is not None

    changed = await flows.change_schedule(
        sessions,
        catalog,
        clock,
        clinician_id=cid,
        schedule_id=added.schedule.id,
        local_time=time(20, 0),
    )

    assert isinstance(changed, flows.Saved)
    assert changed.schedule.local_time == time(20, 0)
    today = [d for d in await _pending(sessions, cid) if d.local_date == MONDAY]
    assert [d.due_at for d in today] == [_at("Europe/London", MONDAY, 20, 0)]


async def test_rotating_a_schedule_picks_a_deeper_program_for_each_day(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock)
    added = await _add_checkin(sessions, catalog, clock, cid)
    assert added.schedule.id is not None

    changed = await flows.change_schedule(
        sessions, catalog, clock, clinician_id=cid, schedule_id=added.schedule.id, rotate=True
    )

    assert isinstance(changed, flows.Saved) and changed.schedule.program_id is None
    rotation = scheduling.rotation_programs(catalog)
    assert all(d.program_id in rotation for d in await _pending(sessions, cid))


async def test_someone_elses_schedule_cannot_be_changed_or_removed(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    mine = await _clinician(sessions, clock, user=1)
    theirs = await _clinician(sessions, clock, user=2)
    added = await _add_checkin(sessions, catalog, clock, mine)
    assert added.schedule.id is not None
    before = [(d.id, d.due_at) for d in await _pending(sessions, mine)]

    changed = await flows.change_schedule(
        sessions, catalog, clock, clinician_id=theirs, schedule_id=added.schedule.id, weekdays=1
    )
    removed = await flows.remove_schedule(
        sessions, clinician_id=theirs, schedule_id=added.schedule.id
    )

    assert changed == flows.Gone() and removed == flows.Gone()
    assert (
        await flows.find_schedule(sessions, clinician_id=theirs, schedule_id=added.schedule.id)
        is None
    )
    (kept,) = await flows.list_schedules(sessions, clinician_id=mine)
    assert (kept.weekdays, kept.local_time) == (scheduling.WEEKDAYS, time(18, 30))
    assert [(d.id, d.due_at) for d in await _pending(sessions, mine)] == before


async def test_removing_a_schedule_takes_its_pending_prompts_with_it(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock)
    added = await _add_checkin(sessions, catalog, clock, cid)
    assert added.schedule.id is not None and await _pending(sessions, cid)

    removed = await flows.remove_schedule(sessions, clinician_id=cid, schedule_id=added.schedule.id)

    assert isinstance(removed, flows.Removed)
    assert removed.schedule.program_id == CHECKIN and removed.plans == []
    assert await _pending(sessions, cid) == []


async def test_a_second_digest_moves_the_first_instead_of_adding_another(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock)
    for day, at in ((scheduling.SUNDAY, time(18, 0)), (scheduling.SATURDAY, time(10, 0))):
        await flows.add_schedule(
            sessions,
            catalog,
            clock,
            clinician_id=cid,
            kind="digest",
            program_id=None,
            weekdays=1 << day,
            local_time=at,
        )

    digest = await flows.find_digest(sessions, clinician_id=cid)
    assert digest is not None
    assert [s.kind for s in await flows.list_schedules(sessions, clinician_id=cid)] == ["digest"]
    assert (digest.weekdays, digest.local_time) == (1 << scheduling.SATURDAY, time(10, 0))


async def test_a_pause_ends_at_local_midnight_and_resume_says_whether_it_was_off(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock, zone="Asia/Tokyo")

    until = await flows.pause(sessions, clock, clinician_id=cid, zone_name="Asia/Tokyo", days=3)

    assert until == _at("Asia/Tokyo", date(2026, 11, 5), 0)  # Monday to Wednesday, in Tokyo
    async with transaction(sessions) as session:
        stored = await session.get(Clinician, cid)
        assert stored is not None and stored.paused_until == until
    resumed = await flows.resume(
        sessions, catalog, clock, clinician_id=cid, reachable=True, paused_until=until
    )
    again = await flows.resume(
        sessions, catalog, clock, clinician_id=cid, reachable=True, paused_until=None
    )
    assert (resumed.was_off, again.was_off) == (True, False)
    async with transaction(sessions) as session:
        stored = await session.get(Clinician, cid)
        assert stored is not None and stored.paused_until is None


async def test_resume_after_the_bot_was_blocked_restarts_and_replans_every_schedule(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock)
    await _add_checkin(sessions, catalog, clock, cid)

    await flows.bot_blocked(sessions, clock, clinician_id=cid)
    assert await _pending(sessions, cid) == []
    assert not any(s.active for s in await flows.list_schedules(sessions, clinician_id=cid))

    resumed = await flows.resume(
        sessions, catalog, clock, clinician_id=cid, reachable=False, paused_until=None
    )

    assert resumed.was_off
    assert [s.active for s in resumed.plans] == [True]
    assert (await _pending(sessions, cid))[0].due_at == _at("Europe/London", MONDAY, 18, 30)


async def test_the_starter_plan_is_adopted_once_and_planned(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock)
    assert not await flows.has_schedules(sessions, clinician_id=cid)

    first = await flows.adopt_starter_plan(sessions, catalog, clock, clinician_id=cid)
    second = await flows.adopt_starter_plan(sessions, catalog, clock, clinician_id=cid)

    assert (first, second) == (True, False)
    plans = await flows.list_schedules(sessions, clinician_id=cid)
    expected = {
        (p.kind, p.program_id, p.weekdays, p.local_time) for p in scheduling.starter_plan(catalog)
    }
    assert len(plans) == len(expected)
    assert {(s.kind, s.program_id, s.weekdays, s.local_time) for s in plans} == expected
    assert await _pending(sessions, cid)


async def test_a_prompt_snoozes_to_tonight_or_an_hour_and_only_for_its_clinician(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    mine = await _clinician(sessions, clock, user=1)
    theirs = await _clinician(sessions, clock, user=2)
    await _add_checkin(sessions, catalog, clock, mine)
    delivery = (await _pending(sessions, mine))[0]
    assert delivery.id is not None

    assert (
        await flows.find_prompt(sessions, catalog, clinician_id=theirs, delivery_id=delivery.id)
        is None
    )
    found = await flows.find_prompt(sessions, catalog, clinician_id=mine, delivery_id=delivery.id)
    assert found is not None and found.program_id == CHECKIN

    tonight = await flows.snooze_prompt(
        sessions, clock, delivery=found, zone_name="Europe/London", tonight=True
    )
    assert tonight == _at("Europe/London", MONDAY, 20, 0)
    clock.set(_at("Europe/London", MONDAY, 21, 0))  # too late for "tonight": an hour instead
    later = await flows.snooze_prompt(
        sessions, clock, delivery=found, zone_name="Europe/London", tonight=True
    )
    assert later == _at("Europe/London", MONDAY, 22, 0)
    assert [d.due_at for d in await _pending(sessions, mine) if d.id == delivery.id] == [later]


async def test_a_prompt_whose_program_left_the_catalog_is_not_found(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions, clock)
    await _add_checkin(sessions, catalog, clock, cid)
    delivery = (await _pending(sessions, cid))[0]
    assert delivery.id is not None
    without_checkin = catalog.model_copy(
        update={"programs": {k: v for k, v in catalog.programs.items() if k != CHECKIN}}
    )

    found = await flows.find_prompt(
        sessions, without_checkin, clinician_id=cid, delivery_id=delivery.id
    )

    assert found is None
