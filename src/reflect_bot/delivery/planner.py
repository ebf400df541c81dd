"""The planner: turns schedules into delivery rows ahead of time, idempotently.

A row per (clinician, schedule, local date) under a UNIQUE key, inserted with
insert-or-ignore, so planning the same slice twice — in one process or two — changes nothing.
Rows are planned ``HORIZON`` ahead; a fresh process first looks ``BACKFILL`` back, so a long
outage leaves its occurrences on record (the sender then marks the old ones missed).

Whoever changes a schedule, a pause or a time zone calls `replan` in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import deliveries, schedules
from reflect_bot.db.repositories.deliveries import PlannedDelivery
from reflect_bot.db.repositories.schedules import PlannableSchedule
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.services import Services

log = logging.getLogger(__name__)

HORIZON = timedelta(days=2)
BACKFILL = timedelta(days=3)
# The periodic pass runs when the planned horizon has shrunk by this much.
PLAN_STEP = timedelta(hours=1)
PAGE = 1000


@cache
def _zone(name: str) -> tzinfo | None:
    try:
        return resolve(name)
    except ValueError:
        return None


def rotation_of(services: Services) -> list[str]:
    """The programs a rotating schedule cycles through, in catalog order."""
    return scheduling.rotation_programs(services.catalog)


def deliveries_for(
    schedule: PlannableSchedule, rotation: Sequence[str], *, start: datetime, end: datetime
) -> list[PlannedDelivery]:
    """The rows one schedule needs in [start, end), never before it was last changed."""
    zone = _zone(schedule.timezone)
    if zone is None:
        log.warning("schedule %s has an unknown time zone; not planned", schedule.id)
        return []
    planned = []
    for occurrence in scheduling.occurrences(
        schedule.weekdays, schedule.local_time, zone, start=max(start, schedule.updated_at), end=end
    ):
        program_id = schedule.program_id
        if schedule.kind == "prompt" and program_id is None:
            program_id = scheduling.rotation_pick(
                rotation, schedule.weekdays, occurrence.local_date
            )
        planned.append(
            PlannedDelivery(
                clinician_id=schedule.clinician_id,
                schedule_id=schedule.id,
                local_date=occurrence.local_date,
                kind=schedule.kind,
                program_id=program_id,
                due_at=occurrence.due_at,
            )
        )
    return planned


async def plan(
    session: AsyncSession,
    *,
    rotation: Sequence[str],
    start: datetime,
    end: datetime,
    now: datetime,
    clinician_id: int | None = None,
    schedule_ids: Sequence[int] | None = None,
) -> int:
    """Plans [start, end) for the matching active schedules in this session; returns new rows."""
    created, after_id = 0, 0
    while True:
        page = await schedules.plannable(
            session,
            after_id=after_id,
            limit=PAGE,
            clinician_id=clinician_id,
            schedule_ids=schedule_ids,
        )
        if not page:
            return created
        rows = [
            row
            for schedule in page
            for row in deliveries_for(schedule, rotation, start=start, end=end)
        ]
        created += await deliveries.insert_planned(session, planned=rows, now=now)
        after_id = page[-1].id
        if len(page) < PAGE:
            return created


async def replan(
    session: AsyncSession,
    *,
    rotation: Sequence[str],
    clinician_id: int,
    now: datetime,
    schedule_id: int | None = None,
) -> int:
    """After a change: forgets the pending future rows and plans the next occurrences afresh.

    Rows already sent today keep their local date, so a change never sends today's prompt twice.
    """
    await deliveries.delete_pending_from(
        session, clinician_id=clinician_id, since=now, schedule_id=schedule_id
    )
    return await plan(
        session,
        rotation=rotation,
        start=now,
        end=now + HORIZON,
        now=now,
        clinician_id=clinician_id,
        schedule_ids=None if schedule_id is None else [schedule_id],
    )


@dataclass
class Planner:
    """The periodic pass of one process: it remembers how far ahead it has planned."""

    planned_until: datetime | None = None
    last_run: datetime | None = None
    passes: int = field(default=0)

    async def run(self, services: Services) -> int:
        """Plans the slice not planned yet (all of it on a fresh start); returns new rows."""
        now = services.clock.now()
        if self.planned_until is None or self.last_run is None or now < self.last_run:
            start = now - BACKFILL  # a fresh start (or a clock set back): look back too
        elif self.planned_until - now > HORIZON - PLAN_STEP:
            return 0
        else:
            start = max(self.planned_until, now - BACKFILL)
        end = now + HORIZON
        rotation = rotation_of(services)
        created, after_id = 0, 0
        while True:
            # One transaction per page keeps locks short and memory flat with many clinicians.
            async with transaction(services.sessions) as session:
                page = await schedules.plannable(session, after_id=after_id, limit=PAGE)
                rows = [r for s in page for r in deliveries_for(s, rotation, start=start, end=end)]
                created += await deliveries.insert_planned(session, planned=rows, now=now)
            if len(page) < PAGE:
                break
            after_id = page[-1].id
        self.planned_until, self.last_run = end, now
        self.passes += 1
        return created
