"""Schedules: reading, adding, changing and removing them; pausing and resuming; the starter
plan; a prompt's snooze; following a new time zone; a blocked bot.

Every change re-plans the clinician's upcoming deliveries in the same transaction
(flows/planning.replan), so the next occurrence follows at once and no prompt goes out on
the old plan after the clinician has been told of the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Delivery, Schedule
from reflect_bot.db.repositories import deliveries, schedules
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.flows import planning
from reflect_bot.flows.reachability import stop_reaching

Sessions = async_sessionmaker[AsyncSession]

SNOOZE = timedelta(hours=1)


@dataclass(frozen=True)
class Saved:
    """A schedule was added or changed: it as stored now, and all of the clinician's plans."""

    schedule: Schedule
    plans: list[Schedule]


@dataclass(frozen=True)
class Removed:
    """A schedule was removed: it as it was, and the plans that remain."""

    schedule: Schedule
    plans: list[Schedule]


@dataclass(frozen=True)
class Gone:
    """The schedule was removed meanwhile, or is someone else's: nothing changed."""


@dataclass(frozen=True)
class Resumed:
    """Prompts are on; `was_off` says whether they were paused or stopped before."""

    was_off: bool
    plans: list[Schedule]


async def _replan(
    session: AsyncSession,
    catalog: Catalog,
    clock: Clock,
    clinician_id: int,
    schedule_id: int | None,
) -> None:
    await planning.replan(
        session,
        rotation=scheduling.rotation_programs(catalog),
        clinician_id=clinician_id,
        now=clock.now(),
        schedule_id=schedule_id,
    )


# --------------------------------------------------------------------------- reading


async def list_schedules(sessions: Sessions, *, clinician_id: int) -> list[Schedule]:
    """A clinician's schedules: prompts by time of day, then the digest."""
    async with transaction(sessions) as session:
        return await schedules.list_for(session, clinician_id=clinician_id)


async def find_schedule(
    sessions: Sessions, *, clinician_id: int, schedule_id: int
) -> Schedule | None:
    """The schedule, only if it is this clinician's."""
    async with transaction(sessions) as session:
        return await schedules.get_owned(
            session, schedule_id=schedule_id, clinician_id=clinician_id
        )


async def find_digest(sessions: Sessions, *, clinician_id: int) -> Schedule | None:
    """The clinician's digest schedule, if they have one."""
    plans = await list_schedules(sessions, clinician_id=clinician_id)
    return next((s for s in plans if s.kind == "digest"), None)


# --------------------------------------------------------------------------- changing


async def change_schedule(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    schedule_id: int,
    program_id: str | None = None,
    rotate: bool = False,
    weekdays: int | None = None,
    local_time: time | None = None,
) -> Saved | Gone:
    """Changes what is given of one schedule (rotate: cycle through programs) and re-plans it."""
    async with transaction(sessions) as session:
        found = await schedules.get_owned(
            session, schedule_id=schedule_id, clinician_id=clinician_id
        )
        if found is None:
            return Gone()
        await schedules.change(
            session,
            schedule=found,
            now=clock.now(),
            program_id=program_id,
            rotate=rotate,
            weekdays=weekdays,
            local_time=local_time,
        )
        await _replan(session, catalog, clock, clinician_id, found.id)
        return Saved(found, await schedules.list_for(session, clinician_id=clinician_id))


async def add_schedule(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    kind: str,
    program_id: str | None,
    weekdays: int,
    local_time: time,
) -> Saved:
    """Adds a schedule and plans it; a second digest moves the first to its day and time."""
    async with transaction(sessions) as session:
        existing = None
        if kind == "digest":
            plans = await schedules.list_for(session, clinician_id=clinician_id)
            existing = next((s for s in plans if s.kind == "digest"), None)
        now = clock.now()
        if existing is not None:
            schedule = await schedules.change(
                session, schedule=existing, now=now, weekdays=weekdays, local_time=local_time
            )
        else:
            schedule = await schedules.add(
                session,
                clinician_id=clinician_id,
                kind=kind,
                program_id=program_id,
                weekdays=weekdays,
                local_time=local_time,
                now=now,
            )
        await _replan(session, catalog, clock, clinician_id, schedule.id)
        return Saved(schedule, await schedules.list_for(session, clinician_id=clinician_id))


async def remove_schedule(
    sessions: Sessions, *, clinician_id: int, schedule_id: int
) -> Removed | Gone:
    """Removes one schedule; its pending deliveries go with it."""
    async with transaction(sessions) as session:
        found = await schedules.get_owned(
            session, schedule_id=schedule_id, clinician_id=clinician_id
        )
        if found is None:
            return Gone()
        await schedules.remove(session, schedule=found)
        return Removed(found, await schedules.list_for(session, clinician_id=clinician_id))


# --------------------------------------------------------------------------- pausing


async def pause(
    sessions: Sessions, clock: Clock, *, clinician_id: int, zone_name: str, days: int | None
) -> datetime:
    """No prompts (or digest) for `days` local days, or until /resume (None); returns the end."""
    until = scheduling.pause_end(clock.now(), resolve(zone_name), days)
    async with transaction(sessions) as session:
        await schedules.set_paused(session, clinician_id=clinician_id, until=until, now=clock.now())
    return until


async def resume(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    reachable: bool,
    paused_until: datetime | None,
) -> Resumed:
    """Prompts back on: ends a pause, and restarts schedules stopped when the bot was blocked."""
    now = clock.now()
    async with transaction(sessions) as session:
        plans = await schedules.list_for(session, clinician_id=clinician_id)
        stopped = not reachable or any(not s.active for s in plans)
        paused = scheduling.is_paused(paused_until, now)
        await schedules.set_paused(session, clinician_id=clinician_id, until=None, now=now)
        if stopped:
            await schedules.set_reachable(
                session, clinician_id=clinician_id, reachable=True, now=now
            )
            await schedules.set_active_all(session, clinician_id=clinician_id, active=True, now=now)
            await _replan(session, catalog, clock, clinician_id, None)
    # Read afresh: the bulk updates above do not refresh rows this session already holds.
    return Resumed(paused or stopped, await list_schedules(sessions, clinician_id=clinician_id))


async def bot_blocked(sessions: Sessions, clock: Clock, *, clinician_id: int) -> None:
    """The clinician blocked the bot: their prompts stop now, not at the next failed send."""
    async with transaction(sessions) as session:
        await stop_reaching(session, clinician_id=clinician_id, now=clock.now())


# --------------------------------------------------------------------------- a sent prompt


async def find_prompt(
    sessions: Sessions, catalog: Catalog, *, clinician_id: int, delivery_id: int
) -> Delivery | None:
    """The clinician's prompt delivery, if it still invites to a program in the catalog."""
    async with transaction(sessions) as session:
        delivery = await deliveries.get_owned(
            session, delivery_id=delivery_id, clinician_id=clinician_id
        )
    if (
        delivery is None
        or delivery.program_id is None
        or delivery.kind != "prompt"
        or delivery.program_id not in catalog.programs  # since removed from content
    ):
        return None
    return delivery


async def snooze_prompt(
    sessions: Sessions, clock: Clock, *, delivery: Delivery, zone_name: str, tonight: bool
) -> datetime:
    """Sends the prompt again in an hour, or tonight (an hour when tonight is past)."""
    now = clock.now()
    later = now + SNOOZE
    if tonight:
        later = scheduling.tonight(now, resolve(zone_name)) or later
    async with transaction(sessions) as session:
        await deliveries.snooze(session, delivery=delivery, due_at=later)
    return later


# --------------------------------------------------------------------------- starter plan, zone


async def has_schedules(sessions: Sessions, *, clinician_id: int) -> bool:
    return bool(await list_schedules(sessions, clinician_id=clinician_id))


async def adopt_starter_plan(
    sessions: Sessions, catalog: Catalog, clock: Clock, *, clinician_id: int
) -> bool:
    """Creates the starter plan unless the clinician already has schedules; True if created."""
    now = clock.now()
    async with transaction(sessions) as session:
        if await schedules.list_for(session, clinician_id=clinician_id):
            return False
        for planned in scheduling.starter_plan(catalog):
            await schedules.add(
                session,
                clinician_id=clinician_id,
                kind=planned.kind,
                program_id=planned.program_id,
                weekdays=planned.weekdays,
                local_time=planned.local_time,
                now=now,
            )
        await _replan(session, catalog, clock, clinician_id, None)
    return True


async def follow_new_zone(
    session: AsyncSession, catalog: Catalog, clock: Clock, *, clinician_id: int
) -> None:
    """A changed time zone: nothing before this moment is planned in it; pending rows move.

    Runs in the transaction that stores the zone, so no prompt can go out in the old zone
    after the clinician has been told the new one is set.
    """
    await schedules.touch_all(session, clinician_id=clinician_id, now=clock.now())
    await _replan(session, catalog, clock, clinician_id, None)
