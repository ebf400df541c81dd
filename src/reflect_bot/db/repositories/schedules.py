"""Schedules: when a clinician wants prompts (and their digest), in their local time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import Clinician, Schedule
from reflect_bot.db.statements import rowcount
from reflect_bot.domain.goals import FOLLOW_UP_KIND

KIND_ORDER = {"prompt": 0, "digest": 1}


@dataclass(frozen=True)
class PlannableSchedule:
    """What the planner needs of one active schedule and its clinician."""

    id: int
    clinician_id: int
    kind: str
    program_id: str | None
    weekdays: int
    local_time: time
    updated_at: datetime
    timezone: str


async def list_for(session: AsyncSession, *, clinician_id: int) -> list[Schedule]:
    """A clinician's schedules: prompts by time of day, then the digest.

    The hidden schedule that goal follow-ups hang from (db/repositories/goals.py) is not one
    of them: the clinician sets those per goal, not in /schedule.
    """
    result = await session.execute(
        select(Schedule).where(
            col(Schedule.clinician_id) == clinician_id, col(Schedule.kind) != FOLLOW_UP_KIND
        )
    )
    schedules = list(result.scalars())
    schedules.sort(key=lambda s: (KIND_ORDER.get(s.kind, 9), s.local_time, s.id or 0))
    return schedules


async def get_owned(
    session: AsyncSession, *, schedule_id: int, clinician_id: int
) -> Schedule | None:
    """The schedule, only if it belongs to this clinician."""
    schedule = await session.get(Schedule, schedule_id)
    if schedule is None or schedule.clinician_id != clinician_id:
        return None
    if schedule.kind == FOLLOW_UP_KIND:  # not a /schedule one: its buttons never name it
        return None
    return schedule


async def add(
    session: AsyncSession,
    *,
    clinician_id: int,
    kind: str,
    program_id: str | None,
    weekdays: int,
    local_time: time,
    now: datetime,
) -> Schedule:
    schedule = Schedule(
        clinician_id=clinician_id,
        kind=kind,
        program_id=program_id,
        weekdays=weekdays,
        local_time=local_time,
        created_at=now,
        updated_at=now,
    )
    session.add(schedule)
    await session.flush()
    return schedule


async def change(
    session: AsyncSession,
    *,
    schedule: Schedule,
    now: datetime,
    program_id: str | None = None,
    rotate: bool = False,
    weekdays: int | None = None,
    local_time: time | None = None,
) -> Schedule:
    """Changes what is given (rotate=True switches to rotating through programs)."""
    if rotate:
        schedule.program_id = None
    elif program_id is not None:
        schedule.program_id = program_id
    if weekdays is not None:
        schedule.weekdays = weekdays
    if local_time is not None:
        schedule.local_time = local_time
    schedule.updated_at = now
    session.add(schedule)
    await session.flush()
    return schedule


async def remove(session: AsyncSession, *, schedule: Schedule) -> None:
    """Deletes the schedule; its deliveries go with it (cascade)."""
    await session.delete(schedule)
    await session.flush()


async def touch_all(session: AsyncSession, *, clinician_id: int, now: datetime) -> None:
    """Marks every schedule as changed now, so the planner never backfills before this moment."""
    await session.execute(
        update(Schedule).where(col(Schedule.clinician_id) == clinician_id).values(updated_at=now)
    )


async def set_active_all(
    session: AsyncSession, *, clinician_id: int, active: bool, now: datetime
) -> int:
    """Stops (a 403: the bot was blocked) or restarts all of a clinician's schedules."""
    result = await session.execute(
        update(Schedule)
        .where(col(Schedule.clinician_id) == clinician_id, col(Schedule.active).is_(not active))
        .values(active=active, updated_at=now)
    )
    return rowcount(result)


async def remove_all(session: AsyncSession, *, clinician_id: int) -> None:
    await session.execute(delete(Schedule).where(col(Schedule.clinician_id) == clinician_id))


async def plannable(
    session: AsyncSession,
    *,
    after_id: int = 0,
    limit: int = 1000,
    clinician_id: int | None = None,
    schedule_ids: Sequence[int] | None = None,
) -> list[PlannableSchedule]:
    """Active schedules of consented, reachable clinicians with a zone, by id, a page at a time."""
    query = (
        select(
            col(Schedule.id),
            col(Schedule.clinician_id),
            col(Schedule.kind),
            col(Schedule.program_id),
            col(Schedule.weekdays),
            col(Schedule.local_time),
            col(Schedule.updated_at),
            col(Clinician.timezone),
        )
        .join(Clinician, col(Clinician.id) == col(Schedule.clinician_id))
        .where(
            col(Schedule.active).is_(True),
            col(Schedule.id) > after_id,
            col(Clinician.reachable).is_(True),
            col(Clinician.consented_at).is_not(None),
            col(Clinician.timezone).is_not(None),
        )
        .order_by(col(Schedule.id))
        .limit(limit)
    )
    if clinician_id is not None:
        query = query.where(col(Schedule.clinician_id) == clinician_id)
    if schedule_ids is not None:
        query = query.where(col(Schedule.id).in_(schedule_ids))
    result = await session.execute(query)
    return [
        PlannableSchedule(sid, clinician, kind, program, days, at, updated, zone)
        for sid, clinician, kind, program, days, at, updated, zone in result.all()
        if sid is not None and zone is not None
    ]


async def set_paused(
    session: AsyncSession, *, clinician_id: int, until: datetime | None, now: datetime
) -> None:
    """Pauses every prompt and the digest until a moment (None: not paused)."""
    await session.execute(
        update(Clinician)
        .where(col(Clinician.id) == clinician_id)
        .values(paused_until=until, updated_at=now)
    )


async def set_reachable(
    session: AsyncSession, *, clinician_id: int, reachable: bool, now: datetime
) -> None:
    """Whether the bot can reach the clinician: False once they blocked it, True when they
    turn prompts back on."""
    await session.execute(
        update(Clinician)
        .where(col(Clinician.id) == clinician_id)
        .values(reachable=reachable, updated_at=now)
    )
