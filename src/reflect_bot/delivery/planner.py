"""The periodic planning pass of one process (the planning itself: flows/planning.py).

Rows are planned ``HORIZON`` ahead; a fresh process first looks ``BACKFILL`` back, so a long
outage leaves its occurrences on record (the sender then marks the old ones missed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import deliveries, schedules
from reflect_bot.domain import scheduling
from reflect_bot.flows.planning import HORIZON, PAGE, deliveries_for, plan_follow_ups
from reflect_bot.services import Services

log = logging.getLogger(__name__)

BACKFILL = timedelta(days=3)
# The periodic pass runs when the planned horizon has shrunk by this much.
PLAN_STEP = timedelta(hours=1)


def rotation_of(services: Services) -> list[str]:
    """The programs a rotating schedule cycles through, in catalog order."""
    return scheduling.rotation_programs(services.catalog)


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
        async with transaction(services.sessions) as session:
            created += await plan_follow_ups(session, start=start, end=end, now=now)
        self.planned_until, self.last_run = end, now
        self.passes += 1
        return created
