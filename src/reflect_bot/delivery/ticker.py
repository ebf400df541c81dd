"""The tick: the only thing APScheduler (PTB's JobQueue) does is call this every few seconds.

Each tick plans upcoming delivery rows, closes reflections left untouched too long, and sends
what is due. All memory is in the database, so a restart rebuilds nothing; the per-process
state kept here (how far ahead it planned, its pacing, its worker name) is an optimisation.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot

from reflect_bot.bot.context import ReflectContext, services_of
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


@dataclass
class _ProcessState:
    planner: Planner
    sender: Sender


# One planner and sender per Services (per running bot), kept only while it lives.
_states: dict[int, _ProcessState] = {}


def state(services: Services, bot: Bot) -> _ProcessState:
    """The planner and sender this bot uses in this process (created on first use)."""
    key = id(services)
    found = _states.get(key)
    if found is None or found.sender.bot is not bot:
        found = _ProcessState(planner=Planner(), sender=Sender(services, bot))
        if key not in _states:
            weakref.finalize(services, _states.pop, key, None)
        _states[key] = found
    return found


async def tick(services: Services, bot: Bot, *, max_wait: float | None = None) -> TickReport:
    """Plans, closes stale reflections, then sends what is due.

    `max_wait`: also wait (in real seconds, while the clock moves) for rows that fall due
    that soon, such as ones a 429 pushed back; None waits for nothing.
    """
    state_ = state(services, bot)
    report = TickReport()
    report.planned = await state_.planner.run(services)
    report.closed_reflections = await _housekeeping(services)
    report.sending = await state_.sender.run(max_wait=max_wait)
    if report.sending.sent or report.sending.missed or report.sending.failed:
        log.info("tick: %s", report)
    return report


async def _housekeeping(services: Services) -> int:
    """Closes reflections left untouched too long; forgets day-old update ids."""
    now = services.clock.now()
    async with transaction(services.sessions) as session:
        # Housekeeping rides along: Telegram never redelivers an update a day later.
        await updates.forget_older_than(session, cutoff=now - UPDATE_IDS_KEPT)
        stale_before = now - STALE_AFTER
        return await reflections.close_stale_reflections(
            session, stale_before=stale_before, now=now
        )


async def tick_job(context: ReflectContext) -> None:
    """The JobQueue callback: one tick, also waiting up to half an interval for rows that fall
    due meanwhile (e.g. pushed back by a 429), so they need not wait for the next tick."""
    services = services_of(context)
    await tick(services, context.bot, max_wait=services.settings.tick_seconds / 2)
