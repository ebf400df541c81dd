"""Learning goals: what a clinician decided to try, and when it comes back to them.

A completed reflection's answers to action steps (`Step.is_action`: an action plan, a "now
what") become goals. The clinician chooses a follow-up in 1, 2 or 4 weeks, or none; on that
local date, at the local time of day they chose it, the bot asks how it went. Pure rules:
no database, no Telegram.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from reflect_bot.catalog import Program
from reflect_bot.domain.journaling import AnswerKind, GivenAnswer

#: The kind of the delivery rows (and of each clinician's one hidden schedule they hang from)
#: that bring goals back.
FOLLOW_UP_KIND = "goal"
#: The follow-ups a clinician can choose, in weeks; 0 means no follow-up.
FOLLOW_UP_WEEKS: tuple[int, ...] = (1, 2, 4)
NO_FOLLOW_UP = 0


class GoalStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CheckInOutcome(StrEnum):
    KEPT = "kept"
    CHANGED = "changed"
    CLOSED = "closed"


@dataclass(frozen=True)
class DecidedAction:
    """A text answer to an action step: the words of a goal to be."""

    step_id: str
    text: str


@dataclass(frozen=True, slots=True)
class GoalsInDigest:
    """What a weekly digest says of goals: follow-ups coming in the next seven days (their
    words and local date) and goals closed during the digest's week."""

    due: tuple[tuple[str, date], ...] = ()
    closed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.due and not self.closed


@dataclass(frozen=True, slots=True)
class ExportedCheckIn:
    """One follow-up answered, as the export shows it beneath its goal."""

    asked_on: date
    tried: bool
    text: str | None
    outcome: CheckInOutcome | None


@dataclass(frozen=True, slots=True)
class ExportedGoal:
    """A goal in the export: their words, where and when it was set, what became of it."""

    text: str
    program_title: str
    set_on: date  # local
    closed_on: date | None  # local; None while open
    follow_up_on: date | None
    check_ins: tuple[ExportedCheckIn, ...] = ()


#: A digest lists follow-ups due from its day through this many days after.
DIGEST_LOOKAHEAD = timedelta(days=6)


def decided_actions(program: Program, given: Iterable[GivenAnswer]) -> list[DecidedAction]:
    """The text answers to the program's action steps, in the order given."""
    actions = {step.id for step in program.steps if step.is_action}
    return [
        DecidedAction(answer.step_id, answer.text)
        for answer in given
        if answer.step_id in actions
        and answer.kind == AnswerKind.TEXT
        and answer.text
        and answer.text.strip()
    ]


def has_action_answers(program: Program, given: Iterable[GivenAnswer]) -> bool:
    """True when a typed answer was given to one of the program's action steps."""
    actions = {step.id for step in program.steps if step.is_action}
    return any(a.step_id in actions and a.kind == AnswerKind.TEXT for a in given)


def is_valid_choice(weeks: int) -> bool:
    return weeks == NO_FOLLOW_UP or weeks in FOLLOW_UP_WEEKS


def follow_up(now: datetime, zone: tzinfo, weeks: int) -> tuple[date, time] | None:
    """The local date and time of day of a follow-up `weeks` from now (None: no follow-up).

    It comes back at the time of day it was chosen, to the minute: a moment the clinician
    was already reflecting.
    """
    if weeks == NO_FOLLOW_UP:
        return None
    local = now.astimezone(zone)
    return local.date() + timedelta(weeks=weeks), local.time().replace(
        second=0, microsecond=0, tzinfo=None
    )
