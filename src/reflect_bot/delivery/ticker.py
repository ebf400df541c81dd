"""The tick: the only thing APScheduler (PTB's JobQueue) does is call this every few seconds.

Each tick plans upcoming delivery rows, closes reflections left untouched too long, and sends
what is due. All memory is in the database, so a restart rebuilds nothing; what a `Ticker`
keeps between ticks (how far ahead its planner planned, its sender's pacing and worker name)
is an optimisation. A running bot builds one Ticker at start-up and hands it to its repeating
job (`run_repeating(..., data=ticker)`): two bots in one process never share one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import reflections, updates
from reflect_bot.delivery.planner import Planner
from reflect_bot.delivery.sender import Sender, SendReport
from reflect_bot.domain.journaling import STALE_AFTER
from reflect_bot.services import Services

log = logging.getLogger(__name__)

TICK_JOB_NAME = "reflect-bot tick"
UPDATE_IDS_KEPT = timedelta(days=1)


@dataclass
class TickReport:
    """What one tick did."""

    planned: int = 0
    closed_reflections: int = 0
    sending: SendReport = field(default_factory=SendReport)

    @property
    def sent(self) -> int:
        return self.sending.sent


class Ticker:
    """One running bot's scheduler: its planner and sender, kept across ticks."""

    def __init__(self, sender: Sender, planner: Planner | None = None) -> None:
        self.services: Services = sender.services
        self.sender = sender
        self.planner = planner or Planner()

    async def tick(self, *, max_wait: float | None = None) -> TickReport:
        """Plans, closes stale reflections, then sends what is due.

        `max_wait`: also wait (in real seconds, while the clock moves) for rows that fall due
        that soon, such as ones a 429 pushed back; None waits for nothing.
        """
        report = TickReport()
        report.planned = await self.planner.run(self.services)
        report.closed_reflections = await _housekeeping(self.services)
        report.sending = await self.sender.run(max_wait=max_wait)
        if report.sending.sent or report.sending.missed or report.sending.failed:
            log.info("tick: %s", report)
        return report


async def _housekeeping(services: Services) -> int:
    """Closes reflections left untouched too long; forgets day-old update ids."""
    now = services.clock.now()
    async with transaction(services.sessions) as session:
        # Housekeeping rides along: Telegram never redelivers an update a day later.
        await updates.forget_older_than(session, cutoff=now - UPDATE_IDS_KEPT)
        return await reflections.close_stale_reflections(
            session, stale_before=now - STALE_AFTER, now=now
        )
