"""Learning goals as use cases: made from a completed reflection's action steps, followed up
when the clinician chose, answered (did you try it, what happened, what now?), then kept,
changed or closed. One transaction each, plain values out, no Telegram.

A follow-up is asked through a delivery row (flows/planning.py plans it, the "goal" composer
sends it). Typed answers are awaited through `Clinician.awaiting`:
``goal:<check-in>`` (what happened) and ``goaltext:<goal>`` (the goal in new words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Program
from reflect_bot.clock import Clock
from reflect_bot.db.engine import mark_erased, transaction
from reflect_bot.db.models import Clinician, LearningGoal
from reflect_bot.db.repositories import clinicians, reflections
from reflect_bot.db.repositories import goals as store
from reflect_bot.domain import goals as rules
from reflect_bot.domain.goals import CheckInOutcome, GoalStatus
from reflect_bot.domain.journaling import GivenAnswer
from reflect_bot.domain.numbers import whole_number
from reflect_bot.domain.timezones import local_zone

Sessions = async_sessionmaker[AsyncSession]

CHECK_IN_AWAITING = "goal:"
NEW_TEXT_AWAITING = "goaltext:"
# After this long, typed text is no longer taken as the follow-up's answer: a reflection
# started since (or anything else) gets it.
AWAIT_FOR = timedelta(hours=6)

# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class NewGoal:
    """A goal just made from an action step's answer: offer its follow-up."""

    goal_id: int
    text: str


@dataclass(frozen=True)
class FollowUpSet:
    """The goal will come back on `on` (None: it stays open without a follow-up)."""

    goal_id: int
    text: str
    on: date | None


@dataclass(frozen=True)
class AskWhatHappened:
    """A follow-up was taken up: ask what happened and what now."""

    text: str
    tried: bool


@dataclass(frozen=True)
class CheckInSaved:
    """What happened is stored: keep, change or close the goal?"""

    check_in_id: int
    text: str


@dataclass(frozen=True)
class AskNewWords:
    """The goal is to change: ask for its new words."""

    text: str


@dataclass(frozen=True)
class AskFollowUp:
    """Kept or reworded: when should it come back?"""

    goal_id: int
    text: str


@dataclass(frozen=True)
class GoalClosed:
    text: str


@dataclass(frozen=True)
class Stale:
    """A button that is not theirs, or no longer applies: nothing changed."""


@dataclass(frozen=True)
class NotAwaited:
    """The typed text was expected, but what it answered is gone."""


@dataclass(frozen=True)
class OpenGoal:
    goal_id: int
    text: str
    program_title: str
    set_on: date
    follow_up_on: date | None
    overdue: bool = False  # its follow-up date passed unanswered (missed, paused, skipped)


# --------------------------------------------------------------------------- use cases


async def record_from_completion(
    session: AsyncSession,
    *,
    clinician_id: int,
    reflection_id: int,
    program: Program,
    given: Sequence[GivenAnswer],
    now: datetime,
) -> tuple[NewGoal, ...]:
    """Within a reflection's completing transaction: its action answers become open goals
    (with no follow-up until the clinician picks one)."""
    if not rules.has_action_answers(program, given):
        return ()
    # The flow's answers carry no text (it is encrypted); read it only when a goal is made.
    stored = await reflections.answers_of(session, reflection_id=reflection_id)
    made = []
    for action in rules.decided_actions(program, stored):
        goal = await store.add(
            session,
            clinician_id=clinician_id,
            reflection_id=reflection_id,
            program_title=program.title,
            text=action.text,
            now=now,
        )
        made.append(NewGoal(_id(goal), goal.text))
    return tuple(made)


async def choose_follow_up(
    sessions: Sessions, clock: Clock, *, clinician: Clinician, goal_id: int, weeks: int
) -> FollowUpSet | Stale:
    """Sets when an open goal of theirs comes back: in 1, 2 or 4 weeks, or never (0)."""
    if clinician.id is None or clinician.timezone is None or not rules.is_valid_choice(weeks):
        return Stale()
    async with transaction(sessions) as session:
        now = clock.now()
        goal = await store.get_owned(session, goal_id=goal_id, clinician_id=clinician.id)
        if goal is None or goal.status != GoalStatus.OPEN:
            return Stale()
        when = rules.follow_up(now, local_zone(clinician.timezone), weeks)
        if when is not None:
            # Made before it is needed, so the planner finds it (db/repositories/goals.py).
            await store.follow_up_schedule(session, clinician_id=clinician.id, now=now)
        await store.set_follow_up(
            session,
            goal=goal,
            on=None if when is None else when[0],
            at=None if when is None else when[1],
            now=now,
        )
        return FollowUpSet(goal_id, goal.text, goal.follow_up_on)


async def begin_check_in(
    sessions: Sessions, clock: Clock, *, clinician: Clinician, goal_id: int, tried: bool
) -> AskWhatHappened | Stale:
    """ "I tried it" / "Not yet" on a follow-up: the next typed message says what happened."""
    if clinician.id is None:
        return Stale()
    async with transaction(sessions) as session:
        now = clock.now()
        goal = await store.get_owned(session, goal_id=goal_id, clinician_id=clinician.id)
        if goal is None or goal.status != GoalStatus.OPEN or goal.follow_up_on is None:
            return Stale()
        if (
            clinician.timezone
            and goal.follow_up_on > now.astimezone(local_zone(clinician.timezone)).date()
        ):
            return Stale()  # not asked yet: a forged or foreign button
        check_in = await store.add_check_in(session, goal=goal, tried=tried, now=now)
        await clinicians.set_awaiting(
            session,
            clinician=clinician,
            awaiting=f"{CHECK_IN_AWAITING}{check_in.id}",
            now=now,
        )
        return AskWhatHappened(goal.text, tried)


def awaits_check_in(clinician: Clinician, *, now: datetime) -> bool:
    """True while a follow-up waits for "what happened, and what now?"."""
    waiting = (clinician.awaiting or "").startswith(CHECK_IN_AWAITING)
    return waiting and now - clinician.updated_at <= AWAIT_FOR


def awaits_new_words(clinician: Clinician, *, now: datetime) -> bool:
    """True while a goal waits for its new words."""
    waiting = (clinician.awaiting or "").startswith(NEW_TEXT_AWAITING)
    return waiting and now - clinician.updated_at <= AWAIT_FOR


async def answer_check_in(
    sessions: Sessions, clock: Clock, *, clinician: Clinician, typed: str
) -> CheckInSaved | NotAwaited:
    """The typed answer to "what happened, and what now?", stored with the follow-up."""
    awaited = whole_number((clinician.awaiting or "").removeprefix(CHECK_IN_AWAITING))
    if clinician.id is None:
        return NotAwaited()
    async with transaction(sessions) as session:
        now = clock.now()
        found = (
            None
            if awaited is None
            else await store.owned_check_in(session, check_in_id=awaited, clinician_id=clinician.id)
        )
        await clinicians.set_awaiting(session, clinician=clinician, awaiting=None, now=now)
        if found is None:
            return NotAwaited()
        check_in, goal = found
        await store.answer_check_in(session, check_in=check_in, text=typed, now=now)
        return CheckInSaved(_id(check_in), goal.text)


async def decide(
    sessions: Sessions,
    clock: Clock,
    *,
    clinician: Clinician,
    check_in_id: int,
    outcome: CheckInOutcome,
) -> AskFollowUp | AskNewWords | GoalClosed | Stale:
    """Keep, change or close the goal a check-in answered (once per check-in)."""
    if clinician.id is None:
        return Stale()
    async with transaction(sessions) as session:
        now = clock.now()
        found = await store.owned_check_in(
            session, check_in_id=check_in_id, clinician_id=clinician.id
        )
        if found is None:
            return Stale()
        check_in, goal = found
        if check_in.outcome is not None or goal.status != GoalStatus.OPEN:
            return Stale()
        await store.decide(session, check_in=check_in, outcome=outcome)
        # Until a new follow-up is chosen, it does not come back.
        await store.set_follow_up(session, goal=goal, on=None, at=None, now=now)
        if outcome is CheckInOutcome.CLOSED:
            await store.close(session, goal=goal, now=now)
            return GoalClosed(goal.text)
        if outcome is CheckInOutcome.CHANGED:
            await clinicians.set_awaiting(
                session,
                clinician=clinician,
                awaiting=f"{NEW_TEXT_AWAITING}{goal.id}",
                now=now,
            )
            return AskNewWords(goal.text)
        return AskFollowUp(_id(goal), goal.text)


async def reword(
    sessions: Sessions, clock: Clock, *, clinician: Clinician, typed: str
) -> AskFollowUp | NotAwaited:
    """The goal's new words, typed after "Change it"."""
    awaited = whole_number((clinician.awaiting or "").removeprefix(NEW_TEXT_AWAITING))
    if clinician.id is None:
        return NotAwaited()
    async with transaction(sessions) as session:
        now = clock.now()
        goal = (
            None
            if awaited is None
            else await store.get_owned(session, goal_id=awaited, clinician_id=clinician.id)
        )
        await clinicians.set_awaiting(session, clinician=clinician, awaiting=None, now=now)
        if goal is None or goal.status != GoalStatus.OPEN:
            return NotAwaited()
        await store.change_text(session, goal=goal, text=typed, now=now)
        mark_erased(session)  # the old words are overwritten for good
        return AskFollowUp(_id(goal), typed)


async def open_goals(sessions: Sessions, clock: Clock, *, clinician: Clinician) -> list[OpenGoal]:
    """/goals: open goals, oldest first, with their next follow-up (or the one that passed)."""
    if clinician.id is None:
        return []
    async with sessions() as session:
        found = await store.open_goals(session, clinician_id=clinician.id)
    zone = local_zone(clinician.timezone)
    today = clock.now().astimezone(zone).date()
    return [
        OpenGoal(
            _id(goal),
            goal.text,
            goal.program_title,
            goal.created_at.astimezone(zone).date(),
            goal.follow_up_on,
            overdue=goal.follow_up_on is not None and goal.follow_up_on < today,
        )
        for goal in found
    ]


def _id(row: LearningGoal | object) -> int:
    value = getattr(row, "id", None)
    if not isinstance(value, int):  # pragma: no cover - rows come from the database
        raise ValueError("row is not stored")
    return value
