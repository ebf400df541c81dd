"""When prompts fall due: weekly local times in a clinician's zone, rotation, the starter plan
and pauses. Pure: no Telegram, no database.

Local time rules (zoneinfo, PEP 495 with ``fold=0``):

- a local time that does not exist because clocks spring forward is read with the offset
  from before the change, so it moves forward by the size of the gap (02:30 on a night when
  02:00 jumps to 03:00 becomes 03:30; on Lord Howe, with its 30-minute shift, 02:15 becomes
  02:45);
- a local time that happens twice because clocks fall back uses its first occurrence.

Each local date yields exactly one due moment, which is what makes the delivery key
(clinician, schedule, local date) send a prompt once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from reflect_bot.catalog import Role

if TYPE_CHECKING:
    from reflect_bot.catalog import Catalog

# Weekday bits in ISO order: bit 0 is Monday, bit 6 is Sunday (Schedule.weekdays).
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
WEEKDAYS = 0b0011111
WEEKEND = 0b1100000
EVERY_DAY = 0b1111111

# "/pause" with no number: until /resume. Far enough to mean "never", near enough that
# converting it to any local zone cannot overflow.
PAUSED_INDEFINITELY = datetime(9000, 1, 1, tzinfo=UTC)
MAX_PAUSE_DAYS = 365

# "Snooze until tonight" means this local time; later than this the option is not offered.
TONIGHT = time(20, 0)
TONIGHT_LAST_OFFER = time(19, 30)


@dataclass(frozen=True)
class Occurrence:
    """One due moment of a weekly schedule: its local date and the UTC instant it is due."""

    local_date: date
    due_at: datetime


@dataclass(frozen=True)
class PlannedSchedule:
    """A schedule before it is stored, as in the starter plan."""

    kind: str  # "prompt" | "digest"
    program_id: str | None  # None: rotate through the deeper programs
    weekdays: int
    local_time: time


def starter_plan(catalog: Catalog) -> tuple[PlannedSchedule, ...]:
    """Offered after onboarding: the check-in on weekday evenings, one deeper exercise a
    week, the digest on Sunday evening."""
    return (
        PlannedSchedule("prompt", catalog.program_for(Role.CHECKIN).id, WEEKDAYS, time(18, 0)),
        PlannedSchedule("prompt", None, 1 << WEDNESDAY, time(19, 0)),
        PlannedSchedule("digest", None, 1 << SUNDAY, time(18, 0)),
    )


# --- weekdays ---------------------------------------------------------------------------------


def mask_of(days: Iterable[int]) -> int:
    """The weekday bitmask for ISO weekday numbers 0 (Monday) … 6 (Sunday)."""
    mask = 0
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError(f"weekday {day} is outside 0..6")
        mask |= 1 << day
    return mask


def days_of(mask: int) -> tuple[int, ...]:
    """The weekday numbers set in a mask, Monday first."""
    return tuple(day for day in range(7) if mask >> day & 1)


def runs_on(mask: int, day: date) -> bool:
    return bool(mask >> day.weekday() & 1)


def toggle_day(mask: int, day: int) -> int:
    return mask ^ (1 << day)


# --- local time -------------------------------------------------------------------------------


def due_moment(local_date: date, local_time: time, zone: tzinfo) -> datetime:
    """The UTC instant of a local wall time on a local date (gap: forward; fold: first)."""
    wall = datetime.combine(local_date, local_time.replace(tzinfo=None, fold=0), tzinfo=zone)
    return wall.astimezone(UTC)


def local_date_of(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def day_bounds(local_date: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local date starts and the next one starts."""
    return due_moment(local_date, time(0), zone), due_moment(
        local_date + timedelta(days=1), time(0), zone
    )


def occurrences(
    weekdays: int, local_time: time, zone: tzinfo, *, start: datetime, end: datetime
) -> Iterator[Occurrence]:
    """Every occurrence with start <= due_at < end, in order."""
    if weekdays == 0 or end <= start:
        return
    # One spare day each side: a local date's due moment can fall on a neighbouring UTC date.
    day = local_date_of(start, zone) - timedelta(days=1)
    last = local_date_of(end, zone) + timedelta(days=1)
    while day <= last:
        if runs_on(weekdays, day):
            due = due_moment(day, local_time, zone)
            if start <= due < end:
                yield Occurrence(day, due)
        day += timedelta(days=1)


def next_occurrence(
    weekdays: int, local_time: time, zone: tzinfo, *, after: datetime
) -> Occurrence | None:
    """The first occurrence strictly after a moment (None for a schedule with no days)."""
    return next(
        occurrences(
            weekdays,
            local_time,
            zone,
            start=after + timedelta(microseconds=1),
            end=after + timedelta(days=8),
        ),
        None,
    )


# --- rotation ---------------------------------------------------------------------------------


def rotation_programs(catalog: Catalog) -> list[str]:
    """The programs a "rotate" schedule cycles through, in menu order: all but the quick
    check-in."""
    return [p.id for p in catalog.programs_in_menu_order() if p.role is not Role.CHECKIN]


def occurrence_number(weekdays: int, local_date: date) -> int:
    """How many scheduled days came before this date since 1 January of year 1 (a Monday).

    Counting scheduled days, not calendar days, makes a Monday–Friday rotation walk through
    every program instead of landing on the same five each week.
    """
    weeks, weekday = divmod(local_date.toordinal() - 1, 7)
    return weeks * weekdays.bit_count() + (weekdays & ((1 << weekday) - 1)).bit_count()


def rotation_pick(rotation: Sequence[str], weekdays: int, local_date: date) -> str | None:
    """The program a rotating schedule offers on a date; consecutive occurrences differ."""
    if not rotation:
        return None
    return rotation[occurrence_number(weekdays, local_date) % len(rotation)]


# --- pauses and snoozes -----------------------------------------------------------------------


def pause_end(now: datetime, zone: tzinfo, days: int | None) -> datetime:
    """When a pause of some days ends: local midnight after the last paused day.

    ``/pause 3`` on a Monday pauses Monday, Tuesday and Wednesday; prompts return on
    Thursday. ``None`` pauses until the clinician resumes.
    """
    if days is None:
        return PAUSED_INDEFINITELY
    if not 1 <= days <= MAX_PAUSE_DAYS:
        raise ValueError(f"a pause lasts 1..{MAX_PAUSE_DAYS} days")
    return due_moment(local_date_of(now, zone) + timedelta(days=days), time(0), zone)


def is_paused(paused_until: datetime | None, at: datetime) -> bool:
    return paused_until is not None and at < paused_until


def is_indefinite(paused_until: datetime) -> bool:
    return paused_until >= PAUSED_INDEFINITELY


def tonight(now: datetime, zone: tzinfo) -> datetime | None:
    """Tonight's snooze time, or None when it is already too late in the evening for it."""
    local = now.astimezone(zone)
    if local.time().replace(tzinfo=None) > TONIGHT_LAST_OFFER:
        return None
    return due_moment(local.date(), TONIGHT, zone)
