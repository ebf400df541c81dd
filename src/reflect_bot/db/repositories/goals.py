"""Learning goals, their check-ins, and the hidden schedule their follow-ups hang from.

A follow-up is sent through the ordinary delivery rows (delivery/sender.py), whose key is
(clinician, schedule, local date). So each clinician with a follow-up gets one schedule of
kind `FOLLOW_UP_KIND`, with no weekdays (the schedule planner never plans it, /schedule never
lists it); goal follow-ups are planned against it, one row per local date, whatever the number
of goals due that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import Clinician, GoalCheckIn, LearningGoal, Schedule
from reflect_bot.domain.goals import (
    DIGEST_LOOKAHEAD,
    FOLLOW_UP_KIND,
    CheckInOutcome,
    ExportedCheckIn,
    ExportedGoal,
    GoalsInDigest,
    GoalStatus,
)


@dataclass(frozen=True)
class FollowUpToPlan:
    """One clinician's goals due back on one local date: what the planner needs."""

    clinician_id: int
    schedule_id: int
    timezone: str
    local_date: date
    local_time: time  # the earliest of that day's goals


async def add(
    session: AsyncSession,
    *,
    clinician_id: int,
    reflection_id: int | None,
    program_title: str,
    text: str,
    now: datetime,
) -> LearningGoal:
    goal = LearningGoal(
        clinician_id=clinician_id,
        reflection_id=reflection_id,
        program_title=program_title,
        text=text,
        created_at=now,
        updated_at=now,
    )
    session.add(goal)
    await session.flush()
    return goal


async def get_owned(
    session: AsyncSession, *, goal_id: int, clinician_id: int
) -> LearningGoal | None:
    """The goal, only if it belongs to this clinician."""
    goal = await session.get(LearningGoal, goal_id)
    if goal is None or goal.clinician_id != clinician_id:
        return None
    return goal


async def open_goals(session: AsyncSession, *, clinician_id: int) -> list[LearningGoal]:
    """A clinician's open goals, oldest first."""
    result = await session.execute(
        select(LearningGoal)
        .where(
            col(LearningGoal.clinician_id) == clinician_id,
            col(LearningGoal.status) == GoalStatus.OPEN,
        )
        .order_by(col(LearningGoal.created_at), col(LearningGoal.id))
    )
    return list(result.scalars())


async def due_on(
    session: AsyncSession, *, clinician_id: int, local_date: date
) -> list[LearningGoal]:
    """The open goals whose follow-up falls on this local date."""
    result = await session.execute(
        select(LearningGoal)
        .where(
            col(LearningGoal.clinician_id) == clinician_id,
            col(LearningGoal.status) == GoalStatus.OPEN,
            col(LearningGoal.follow_up_on) == local_date,
        )
        .order_by(col(LearningGoal.id))
    )
    return list(result.scalars())


async def set_follow_up(
    session: AsyncSession,
    *,
    goal: LearningGoal,
    on: date | None,
    at: time | None,
    now: datetime,
) -> None:
    goal.follow_up_on, goal.follow_up_time, goal.updated_at = on, at, now
    session.add(goal)
    await session.flush()


async def change_text(
    session: AsyncSession, *, goal: LearningGoal, text: str, now: datetime
) -> None:
    goal.text, goal.updated_at = text, now
    session.add(goal)
    await session.flush()


async def close(session: AsyncSession, *, goal: LearningGoal, now: datetime) -> None:
    goal.status = GoalStatus.CLOSED
    goal.follow_up_on = goal.follow_up_time = None
    goal.closed_at = goal.updated_at = now
    session.add(goal)
    await session.flush()


async def follow_up_schedule(session: AsyncSession, *, clinician_id: int, now: datetime) -> int:
    """The id of the clinician's hidden follow-up schedule, made on first use."""
    found = await session.execute(
        select(col(Schedule.id)).where(
            col(Schedule.clinician_id) == clinician_id, col(Schedule.kind) == FOLLOW_UP_KIND
        )
    )
    schedule_id = found.scalars().first()
    if schedule_id is not None:
        return schedule_id
    schedule = Schedule(
        clinician_id=clinician_id,
        kind=FOLLOW_UP_KIND,
        weekdays=0,  # never planned by the schedule planner
        local_time=time(0),
        created_at=now,
        updated_at=now,
    )
    session.add(schedule)
    await session.flush()
    assert schedule.id is not None
    return schedule.id


async def follow_ups_between(
    session: AsyncSession, *, first: date, last: date, clinician_id: int | None = None
) -> list[FollowUpToPlan]:
    """Follow-ups due on local dates first..last of consented, reachable clinicians."""
    query = (
        select(
            col(LearningGoal.clinician_id),
            col(Schedule.id),
            col(Clinician.timezone),
            col(LearningGoal.follow_up_on),
            func.min(col(LearningGoal.follow_up_time)),
        )
        .join(Clinician, col(Clinician.id) == col(LearningGoal.clinician_id))
        .join(
            Schedule,
            (col(Schedule.clinician_id) == col(LearningGoal.clinician_id))
            & (col(Schedule.kind) == FOLLOW_UP_KIND),
        )
        .where(
            col(LearningGoal.status) == GoalStatus.OPEN,
            col(LearningGoal.follow_up_on) >= first,
            col(LearningGoal.follow_up_on) <= last,
            col(LearningGoal.follow_up_time).is_not(None),
            col(Schedule.active).is_(True),
            col(Clinician.reachable).is_(True),
            col(Clinician.consented_at).is_not(None),
            col(Clinician.timezone).is_not(None),
        )
        .group_by(
            col(LearningGoal.clinician_id),
            col(Schedule.id),
            col(Clinician.timezone),
            col(LearningGoal.follow_up_on),
        )
    )
    if clinician_id is not None:
        query = query.where(col(LearningGoal.clinician_id) == clinician_id)
    result = await session.execute(query)
    return [
        FollowUpToPlan(cid, sid, zone, on, at)
        for cid, sid, zone, on, at in result.all()
        if sid is not None and zone is not None and on is not None and at is not None
    ]


@dataclass(frozen=True)
class DigestWindow:
    """What one clinician's digest asks of their goals: follow-ups due from `today` (local)
    through `DIGEST_LOOKAHEAD`, and goals closed in [closed_from, closed_before)."""

    clinician_id: int
    today: date
    closed_from: datetime
    closed_before: datetime


async def for_digests(
    session: AsyncSession, *, windows: Sequence[DigestWindow]
) -> dict[int, GoalsInDigest]:
    """The goals of several digests in one query (a sender's batch: no query per digest)."""
    if not windows:
        return {}
    first = min(w.today for w in windows)
    last = max(w.today for w in windows) + DIGEST_LOOKAHEAD
    closed_from = min(w.closed_from for w in windows)
    closed_before = max(w.closed_before for w in windows)
    open_ = col(LearningGoal.status) == GoalStatus.OPEN
    closed = col(LearningGoal.status) == GoalStatus.CLOSED
    result = await session.execute(
        select(
            col(LearningGoal.clinician_id),
            col(LearningGoal.text),
            col(LearningGoal.status),
            col(LearningGoal.follow_up_on),
            col(LearningGoal.closed_at),
        )
        .where(
            col(LearningGoal.clinician_id).in_({w.clinician_id for w in windows}),
            or_(
                open_
                & (col(LearningGoal.follow_up_on) >= first)
                & (col(LearningGoal.follow_up_on) <= last),
                closed
                & (col(LearningGoal.closed_at) >= closed_from)
                & (col(LearningGoal.closed_at) < closed_before),
            ),
        )
        .order_by(col(LearningGoal.id))
    )
    rows = result.all()
    found = {}
    for window in windows:
        mine = [row for row in rows if row[0] == window.clinician_id]
        due = sorted(
            (
                (text, on)
                for _, text, status, on, _ in mine
                if status == GoalStatus.OPEN
                and on is not None
                and window.today <= on <= window.today + DIGEST_LOOKAHEAD
            ),
            key=lambda pair: pair[1],
        )
        ended = sorted(
            (
                (at, text)
                for _, text, status, _, at in mine
                if status == GoalStatus.CLOSED
                and at is not None
                and window.closed_from <= at < window.closed_before
            ),
            key=lambda pair: pair[0],
        )
        found[window.clinician_id] = GoalsInDigest(
            due=tuple(due), closed=tuple(text for _, text in ended)
        )
    return found


# --------------------------------------------------------------------------- check-ins


async def add_check_in(
    session: AsyncSession, *, goal: LearningGoal, tried: bool, now: datetime
) -> GoalCheckIn:
    assert goal.id is not None and goal.follow_up_on is not None
    check_in = GoalCheckIn(goal_id=goal.id, asked_on=goal.follow_up_on, tried=tried, created_at=now)
    session.add(check_in)
    await session.flush()
    return check_in


async def owned_check_in(
    session: AsyncSession, *, check_in_id: int, clinician_id: int
) -> tuple[GoalCheckIn, LearningGoal] | None:
    """The check-in and its goal, only if the goal belongs to this clinician."""
    result = await session.execute(
        select(GoalCheckIn, LearningGoal)
        .join(LearningGoal, col(LearningGoal.id) == col(GoalCheckIn.goal_id))
        .where(col(GoalCheckIn.id) == check_in_id, col(LearningGoal.clinician_id) == clinician_id)
    )
    row = result.first()
    return None if row is None else (row[0], row[1])


async def answer_check_in(
    session: AsyncSession, *, check_in: GoalCheckIn, text: str, now: datetime
) -> None:
    check_in.text, check_in.answered_at = text, now
    session.add(check_in)
    await session.flush()


async def decide(session: AsyncSession, *, check_in: GoalCheckIn, outcome: CheckInOutcome) -> None:
    check_in.outcome = outcome
    session.add(check_in)
    await session.flush()


async def check_ins_of(
    session: AsyncSession, *, goal_ids: list[int]
) -> dict[int, list[GoalCheckIn]]:
    """The check-ins of these goals, oldest first, by goal."""
    found: dict[int, list[GoalCheckIn]] = {goal_id: [] for goal_id in goal_ids}
    if not goal_ids:
        return found
    result = await session.execute(
        select(GoalCheckIn)
        .where(col(GoalCheckIn.goal_id).in_(goal_ids))
        .order_by(col(GoalCheckIn.created_at), col(GoalCheckIn.id))
    )
    for check_in in result.scalars():
        found[check_in.goal_id].append(check_in)
    return found


async def for_export(
    session: AsyncSession, *, clinician_id: int, zone: tzinfo
) -> list[ExportedGoal]:
    """Every goal of the clinician, oldest first, with its answered follow-ups beneath it."""
    result = await session.execute(
        select(LearningGoal)
        .where(col(LearningGoal.clinician_id) == clinician_id)
        .order_by(col(LearningGoal.created_at), col(LearningGoal.id))
    )
    found = list(result.scalars())
    check_ins = await check_ins_of(session, goal_ids=[g.id for g in found if g.id is not None])
    return [
        ExportedGoal(
            text=goal.text,
            program_title=goal.program_title,
            set_on=goal.created_at.astimezone(zone).date(),
            closed_on=None if goal.closed_at is None else goal.closed_at.astimezone(zone).date(),
            follow_up_on=goal.follow_up_on,
            check_ins=tuple(
                ExportedCheckIn(
                    c.asked_on,
                    c.tried,
                    c.text,
                    None if c.outcome is None else CheckInOutcome(c.outcome),
                )
                for c in check_ins.get(goal.id or 0, [])
                if c.answered_at is not None
            ),
        )
        for goal in found
    ]
