"""Time travel: move the sandbox bot's clock forward so scheduled prompts and digests arrive
without waiting.

Travelling behaves as if the bot had kept running while the time passed: the clock stops at
every delivery that falls due on the way and the scheduler's tick sends it on time, then the
clock moves on to the destination. (Jumping straight there would make the sender treat
everything on the way as missed after downtime, which is correct for a real outage but not
what a person exploring the sandbox expects.) Time only moves forward: deliveries already
sent stay sent, as they would on Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.clock import OffsetClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import clinicians, deliveries
from reflect_bot.delivery.ticker import Ticker
from reflect_bot.domain import timezones
from reflect_bot.domain.scheduling import SUNDAY
from reflect_bot.services import Services

__all__ = [
    "Jump",
    "TravelReport",
    "clinician_zone",
    "next_weekday_at",
    "travel",
]

# A week of daily prompts plus a digest is well below this; it only guards against a loop.
MAX_STOPS = 60
SUNDAY_EVENING = time(18, 0)  # when the starter plan's weekly digest arrives
_TICK_RESOLUTION = timedelta(microseconds=1)


class Jump(StrEnum):
    """The destinations the sandbox page offers."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    SUNDAY_EVENING = "sunday-evening"
    NEXT_DELIVERY = "next-delivery"


_FIXED: dict[Jump, timedelta] = {
    Jump.HOUR: timedelta(hours=1),
    Jump.DAY: timedelta(days=1),
    Jump.WEEK: timedelta(weeks=1),
}


@dataclass
class TravelReport:
    """Where the clock went and what arrived on the way."""

    moved: timedelta = timedelta(0)
    stops: int = 0  # deliveries the clock stopped at
    sent: int = 0
    missed: int = 0
    nothing_scheduled: bool = False  # NEXT_DELIVERY found no planned delivery
    notes: list[str] = field(default_factory=list)


def next_weekday_at(now: datetime, zone: tzinfo, weekday: int, at: time) -> datetime:
    """The first moment strictly after `now` that is `weekday` (0 = Monday) at `at`, local
    time in `zone`, as UTC. Read with fold=0 like the scheduler reads local times."""
    local_now = now.astimezone(zone)
    for days_ahead in range(8):
        day = local_now.date() + timedelta(days=days_ahead)
        if day.weekday() != weekday:
            continue
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if candidate > now:
            return candidate
    raise AssertionError("a weekday recurs within eight days")  # pragma: no cover


async def clinician_zone(services: Services, telegram_user_id: int) -> tuple[str, tzinfo]:
    """The clinician's zone name and tzinfo, or UTC before they have chosen one (or one
    this machine does not know)."""
    async with transaction(services.sessions) as session:
        clinician = await clinicians.get_by_user(session, telegram_user_id=telegram_user_id)
    return timezones.clinician_zone(None if clinician is None else clinician.timezone)


async def _next_due_after(session: AsyncSession, moment: datetime) -> datetime | None:
    return await deliveries.next_due(session, not_before=moment + _TICK_RESOLUTION)


async def travel(
    jump: Jump,
    *,
    ticker: Ticker,
    clock: OffsetClock,
    telegram_user_id: int,
) -> TravelReport:
    """Moves `clock` forward to the jump's destination, delivering what falls due on the way
    through the running bot's own `ticker` (its scheduler's planner and sender)."""
    services = ticker.services
    report = TravelReport()
    started, started_ahead = clock.now(), clock.offset
    await _tick(ticker, report)  # plans the days ahead, so the first stop is known
    destination = await _destination(jump, services, clock, telegram_user_id)
    if destination is None:
        report.nothing_scheduled = True
        return report
    for _ in range(MAX_STOPS):
        async with transaction(services.sessions) as session:
            due = await _next_due_after(session, clock.now())
        if due is None or due > destination:
            break
        clock.advance(due - clock.now())
        report.stops += 1
        await _tick(ticker, report)  # sends it, and plans further ahead if needed
    else:
        report.notes.append(f"stopped after {MAX_STOPS} deliveries")
    if jump in _FIXED:
        # Exactly the jump's length ahead of where it started, however long the sends took.
        target_ahead = started_ahead + _FIXED[jump]
        if target_ahead > clock.offset:
            clock.advance(target_ahead - clock.offset)
    elif destination > clock.now():
        clock.advance(destination - clock.now())
    await _tick(ticker, report)
    report.moved = clock.now() - started
    return report


async def _destination(
    jump: Jump, services: Services, clock: OffsetClock, telegram_user_id: int
) -> datetime | None:
    now = clock.now()
    if jump in _FIXED:
        return now + _FIXED[jump]
    if jump is Jump.SUNDAY_EVENING:
        _, zone = await clinician_zone(services, telegram_user_id)
        return next_weekday_at(now, zone, SUNDAY, SUNDAY_EVENING)
    async with transaction(services.sessions) as session:
        return await _next_due_after(session, now)


async def _tick(ticker: Ticker, report: TravelReport) -> None:
    result = await ticker.tick()
    report.sent += result.sending.sent
    report.missed += result.sending.missed
