"""Planning: schedules become delivery rows ahead of time, idempotently.

A row per (clinician, schedule, local date) under a UNIQUE key, inserted with
insert-or-ignore, so planning the same slice twice — in one process or two — changes nothing.
The periodic pass (delivery/planner.py) plans ahead for everyone; whoever changes a schedule,
a pause or a time zone calls `replan` in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.repositories import deliveries, goals, schedules
from reflect_bot.db.repositories.deliveries import PlannedDelivery
from reflect_bot.db.repositories.schedules import PlannableSchedule
from reflect_bot.domain import scheduling
from reflect_bot.domain.goals import FOLLOW_UP_KIND
from reflect_bot.domain.timezones import resolve

log = logging.getLogger(__name__)

#: Rows are planned this far ahead.
HORIZON = timedelta(days=2)
PAGE = 1000


@cache
def _zone(name: str) -> tzinfo | None:
    try:
        return resolve(name)
    except ValueError:
        return None


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


async def plan_follow_ups(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    clinician_id: int | None = None,
) -> int:
    """Plans goal follow-ups due in [start, end): one row per clinician and local date, at
    the earliest time of day among that day's goals, in the clinician's zone now."""
    # A local date's moments lie within a day of its UTC date, whatever the zone.
    found = await goals.follow_ups_between(
        session,
        first=(start - timedelta(days=1)).date(),
        last=(end + timedelta(days=1)).date(),
        clinician_id=clinician_id,
    )
    rows = []
    for follow_up in found:
        zone = _zone(follow_up.timezone)
        if zone is None:
            continue
        due_at = scheduling.due_moment(follow_up.local_date, follow_up.local_time, zone)
        if start <= due_at < end:
            rows.append(
                PlannedDelivery(
                    clinician_id=follow_up.clinician_id,
                    schedule_id=follow_up.schedule_id,
                    local_date=follow_up.local_date,
                    kind=FOLLOW_UP_KIND,
                    program_id=None,
                    due_at=due_at,
                )
            )
    return await deliveries.insert_planned(session, planned=rows, now=now)


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
    created = await plan(
        session,
        rotation=rotation,
        start=now,
        end=now + HORIZON,
        now=now,
        clinician_id=clinician_id,
        schedule_ids=None if schedule_id is None else [schedule_id],
    )
    if schedule_id is None:  # everything pending was forgotten: goal follow-ups too
        created += await plan_follow_ups(
            session, start=now, end=now + HORIZON, now=now, clinician_id=clinician_id
        )
    return created
