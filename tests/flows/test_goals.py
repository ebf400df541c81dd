"""Goal follow-ups without Telegram: they fall due at the chosen local time of day in the
clinician's zone (across daylight-saving changes and a change of zone), are planned once, and
a follow-up choice for someone else's goal changes nothing.

Each test runs on a real SQLite file and on PostgreSQL (the `sessions` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Delivery
from reflect_bot.db.repositories import clinicians
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.flows import goals as flow
from reflect_bot.flows import planning
from reflect_bot.flows.schedules import follow_new_zone, list_schedules
from tests.flows.conftest import add_clinician, add_goal

Sessions = async_sessionmaker[AsyncSession]
# 18:30 in New York on Tuesday 20 October 2026, still on daylight time (UTC-4).
BEFORE_DST_ENDS = datetime(2026, 10, 20, 22, 30, tzinfo=UTC)


async def _plan(sessions: Sessions, start: datetime, days: int = 60) -> int:
    async with transaction(sessions) as session:
        return await planning.plan_follow_ups(
            session, start=start, end=start + timedelta(days=days), now=start
        )


async def _follow_ups(sessions: Sessions) -> list[Delivery]:
    async with transaction(sessions) as session:
        rows = await session.execute(
            select(Delivery).where(col(Delivery.kind) == "goal").order_by(col(Delivery.id))
        )
        return list(rows.scalars())


async def test_a_follow_up_keeps_its_local_time_across_the_end_of_daylight_time(
    sessions: Sessions,
) -> None:
    clock = FixedClock(BEFORE_DST_ENDS)
    clinician = await add_clinician(sessions, user=1, zone="America/New_York")
    goal_id = await add_goal(sessions, clinician, now=BEFORE_DST_ENDS)

    chosen = await flow.choose_follow_up(
        sessions, clock, clinician=clinician, goal_id=goal_id, weeks=4
    )
    assert isinstance(chosen, flow.FollowUpSet) and chosen.on == date(2026, 11, 17)

    assert await _plan(sessions, BEFORE_DST_ENDS) == 1
    assert await _plan(sessions, BEFORE_DST_ENDS) == 0  # planning twice: still one row
    (row,) = await _follow_ups(sessions)
    # 18:30 on the wall clock, now on standard time (UTC-5).
    assert row.due_at == datetime(2026, 11, 17, 23, 30, tzinfo=UTC)
    assert row.local_date == date(2026, 11, 17) and row.status == "pending"
    # The hidden schedule it hangs from is not one of the clinician's /schedule prompts.
    assert clinician.id is not None
    assert await list_schedules(sessions, clinician_id=clinician.id) == []


async def test_a_new_time_zone_moves_a_pending_follow_up_to_the_same_local_time_there(
    sessions: Sessions, catalog: Catalog
) -> None:
    clinician = await add_clinician(sessions, user=2, zone="America/New_York")
    goal_id = await add_goal(sessions, clinician, now=BEFORE_DST_ENDS)
    await flow.choose_follow_up(
        sessions, FixedClock(BEFORE_DST_ENDS), clinician=clinician, goal_id=goal_id, weeks=1
    )
    # A day before it is due, it is planned (two days ahead), then the clinician moves.
    day_before = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)
    assert await _plan(sessions, day_before, days=2) == 1
    assert clinician.id is not None
    async with transaction(sessions) as session:
        await clinicians.set_timezone(
            session, clinician=clinician, zone="Europe/Berlin", now=day_before
        )
        await follow_new_zone(session, catalog, FixedClock(day_before), clinician_id=clinician.id)
    (row,) = await _follow_ups(sessions)
    expected = scheduling.due_moment(date(2026, 10, 27), time(18, 30), resolve("Europe/Berlin"))
    assert row.due_at == expected and row.status == "pending"


async def test_follow_up_choices_for_someone_elses_goal_or_off_the_menu_change_nothing(
    sessions: Sessions,
) -> None:
    clock = FixedClock(BEFORE_DST_ENDS)
    owner = await add_clinician(sessions, user=3)
    other = await add_clinician(sessions, user=4)
    goal_id = await add_goal(sessions, owner, now=BEFORE_DST_ENDS)

    for who, weeks in ((other, 1), (owner, 3), (owner, 52)):
        outcome = await flow.choose_follow_up(
            sessions, clock, clinician=who, goal_id=goal_id, weeks=weeks
        )
        assert isinstance(outcome, flow.Stale), (who.id, weeks)
    assert isinstance(
        await flow.begin_check_in(sessions, clock, clinician=other, goal_id=goal_id, tried=True),
        flow.Stale,
    )
    assert owner.id is not None
    (listed,) = await flow.open_goals(sessions, clock, clinician=owner)
    assert listed.follow_up_on is None and listed.text == "Name the strain"
    assert await flow.open_goals(sessions, clock, clinician=other) == []
