"""The CPD record: reflections logged by the bot, other activities the clinician adds, and
progress against the body's requirement over its period.

Reflections count with the minutes the journal shows (`journaling.cpd_minutes`); the period
is the requirement's number of years up to today, which stands in for the body's own cycle
(the bot does not know the clinician's renewal date, and says so). Pure: no clock, no SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from reflect_bot.catalog import CpdKind

if TYPE_CHECKING:
    from reflect_bot.catalog.profiles import CpdRequirement
    from reflect_bot.domain.export import JournalEntry

__all__ = [
    "ADDABLE_KINDS",
    "MAX_ACTIVITY_MINUTES",
    "MAX_TITLE_LENGTH",
    "CpdEntry",
    "CpdProblem",
    "CpdProgress",
    "LoggedActivity",
    "NewActivity",
    "cpd_log",
    "parse_activity",
    "period_start",
    "progress",
]

#: What /cpd adds: every kind but reflections, which the bot logs itself.
ADDABLE_KINDS: tuple[CpdKind, ...] = tuple(
    kind for kind in CpdKind if kind is not CpdKind.REFLECTION
)
#: A day's worth at most, per entry: a typo of 6000 minutes is refused, not logged.
MAX_ACTIVITY_MINUTES = 24 * 60
MAX_TITLE_LENGTH = 200

_DURATION = re.compile(r"(?:(\d{1,2})h)?(?:(\d{1,4})(?:m|min)?)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LoggedActivity:
    """An activity as stored (the title decrypted)."""

    id: int
    kind: str
    title: str
    minutes: int
    done_on: date


@dataclass(frozen=True, slots=True)
class CpdEntry:
    """One line of the CPD log."""

    day: date  # the clinician's local date
    kind: CpdKind
    minutes: int
    title: str


@dataclass(frozen=True, slots=True)
class CpdProgress:
    """How far the log goes towards the requirement over its period."""

    since: date
    until: date
    minutes: int
    by_kind: tuple[tuple[CpdKind, int], ...]  # kinds with minutes, in CpdKind order
    requirement: CpdRequirement | None
    of_kind_minutes: int = 0  # minutes of the requirement's `of_kind`, when it has one

    @property
    def remaining(self) -> int | None:
        if self.requirement is None:
            return None
        return max(0, self.requirement.minutes - self.minutes)


def cpd_log(
    entries: Iterable[JournalEntry], activities: Iterable[LoggedActivity]
) -> tuple[CpdEntry, ...]:
    """Reflections (with the minutes the journal counts) and logged activities, by date."""
    lines = [
        CpdEntry(entry.started.date(), CpdKind.REFLECTION, entry.minutes, entry.program_title)
        for entry in entries
    ]
    lines += [
        CpdEntry(activity.done_on, CpdKind(activity.kind), activity.minutes, activity.title)
        for activity in activities
    ]
    order = list(CpdKind)
    return tuple(sorted(lines, key=lambda line: (line.day, order.index(line.kind))))


def period_start(today: date, requirement: CpdRequirement | None) -> date:
    """The first day of the period progress is counted over: the requirement's years back
    from today (one year when the body sets no hours)."""
    years = requirement.years if requirement is not None else 1
    try:
        return today.replace(year=today.year - years) + timedelta(days=1)
    except ValueError:  # 29 February, and no 29 February that many years back
        return date(today.year - years, 3, 1)


def progress(
    log: Sequence[CpdEntry], requirement: CpdRequirement | None, *, today: date
) -> CpdProgress:
    """Minutes in the period ending today, in all and per kind."""
    since = period_start(today, requirement)
    within = [line for line in log if since <= line.day <= today]
    per_kind = {kind: 0 for kind in CpdKind}
    for line in within:
        per_kind[line.kind] += line.minutes
    of_kind = 0
    if requirement is not None and requirement.of_kind is not None:
        of_kind = per_kind[requirement.of_kind]
    return CpdProgress(
        since=since,
        until=today,
        minutes=sum(line.minutes for line in within),
        by_kind=tuple((kind, minutes) for kind, minutes in per_kind.items() if minutes),
        requirement=requirement,
        of_kind_minutes=of_kind,
    )


# --------------------------------------------------------------------------- /cpd add


class CpdProblem(StrEnum):
    USAGE = "usage"
    KIND = "kind"  # not one of the addable kinds
    MINUTES = "minutes"  # not a duration, zero, or over a day
    TITLE = "title"  # empty or too long


@dataclass(frozen=True, slots=True)
class NewActivity:
    kind: CpdKind
    minutes: int
    title: str


def parse_activity(words: Sequence[str]) -> NewActivity | CpdProblem:
    """Reads `<kind> <duration> <title…>`, e.g. `course 90 Working with ruptures` or
    `supervision 1h30 Monthly group`. Kinds may be typed with a space or a hyphen
    (`peer consultation`)."""
    words = [word for word in words if word.strip()]
    if len(words) < 2:
        return CpdProblem.USAGE
    first = words[0].casefold().replace("-", "_")
    if first == "peer" and len(words) > 1 and words[1].casefold() == "consultation":
        first, words = "peer_consultation", words[1:]
    try:
        kind = CpdKind(first)
    except ValueError:
        return CpdProblem.KIND
    if kind is CpdKind.REFLECTION:
        return CpdProblem.KIND
    minutes = _minutes(words[1]) if len(words) > 1 else None
    if minutes is None or not 1 <= minutes <= MAX_ACTIVITY_MINUTES:
        return CpdProblem.MINUTES
    title = " ".join(words[2:]).strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        return CpdProblem.TITLE
    return NewActivity(kind, minutes, title)


def _minutes(word: str) -> int | None:
    match = _DURATION.fullmatch(word.strip())
    if match is None or not any(match.groups()):
        return None
    hours, minutes = match.groups()
    return int(hours or 0) * 60 + int(minutes or 0)
