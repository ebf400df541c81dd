"""Reflections and their answers: started, answered step by step, finished, revised.

The reflection row is the conversation's state (program, current step, the message that asked
it), so a restart loses nothing. Every move forward is a conditional UPDATE on the step the
caller saw, which makes a button pressed twice, or by two processes at once, a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, delete, false, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from reflect_bot.db.models import Answer, AnswerRevision, Reflection, ReflectionConcept
from reflect_bot.db.statements import rowcount, table_of
from reflect_bot.domain.journaling import (
    AnswerKind,
    ReadAnswer,
    ReflectionStatus,
    seconds_between,
)

_IN_PROGRESS = ReflectionStatus.IN_PROGRESS.value
_REFLECTIONS, _ANSWERS = table_of(Reflection), table_of(Answer)

# The statements every answer runs, built once with bound parameters: building a statement
# and its cache key anew on every call cost a noticeable share of an answer's CPU time
# (issue #21, bench/results/P1.md).
_GIVEN_ANSWERS = (
    select(col(Answer.step_id), col(Answer.kind), col(Answer.rating), col(Answer.choice))
    .where(col(Answer.reflection_id) == bindparam("reflection_id"))
    .order_by(col(Answer.position), col(Answer.id))
)
_MOVE_ON = (
    update(_REFLECTIONS)
    .where(
        _REFLECTIONS.c.id == bindparam("reflection_id"),
        _REFLECTIONS.c.status == _IN_PROGRESS,
        _REFLECTIONS.c.current_step == bindparam("step_id"),
    )
    .values(
        {
            name: bindparam(f"new_{name}", type_=_REFLECTIONS.c[name].type)
            for name in (
                "current_step",
                "question_message_id",
                "last_activity_at",
                "seconds_spent",
                "status",
                "finished_at",
            )
        }
    )
)
_ADD_ANSWER = insert(_ANSWERS)
_ANSWER_VALUES = (
    "step_id",
    "position",
    "question",
    "kind",
    "text",
    "rating",
    "choice",
    "choice_label",
    "telegram_message_id",
    "answered_at",
)


def _move_on_and_add_answer() -> Any:
    """PostgreSQL: the step's move and the answer's insert in one statement (one round trip
    less on every answer): ``WITH moved AS (UPDATE … RETURNING id) INSERT INTO answer …
    SELECT moved.id, … FROM moved``, which inserts nothing when the move matched no row.
    SQLite has no UPDATE inside WITH; there the two run one after the other, on the loop."""
    moved = _MOVE_ON.returning(_REFLECTIONS.c.id).cte("moved")
    values = [bindparam(name, type_=_ANSWERS.c[name].type) for name in _ANSWER_VALUES]
    return (
        insert(_ANSWERS)
        .from_select(
            ["reflection_id", *_ANSWER_VALUES],
            select(moved.c.id, *values),
            include_defaults=False,  # identifying_flagged: its server default (false)
        )
        .add_cte(moved)
    )


_MOVE_ON_AND_ADD_ANSWER = _move_on_and_add_answer()
_REMEMBER_QUESTION = (
    update(_REFLECTIONS)
    .where(
        _REFLECTIONS.c.id == bindparam("reflection_id"),
        _REFLECTIONS.c.current_step == bindparam("step_id"),
    )
    .values(question_message_id=bindparam("message_id"))
)


def quotable() -> ColumnElement[bool]:
    """Answers that may be quoted outside the clinician's own journal (a digest excerpt, a
    supervision brief): not flagged by the identifying-details check and kept as they were.

    Works in ORM and Core queries alike: `select(...).where(quotable())`.
    """
    return table_of(Answer).c.identifying_flagged == false()


# --------------------------------------------------------------------------- finding


async def get_open(session: AsyncSession, *, clinician_id: int) -> Reflection | None:
    """The clinician's reflection in progress, if any (the database allows one at most)."""
    result = await session.execute(
        select(Reflection).where(
            col(Reflection.clinician_id) == clinician_id,
            col(Reflection.status) == _IN_PROGRESS,
        )
    )
    return result.scalar_one_or_none()


async def get_owned(
    session: AsyncSession, *, reflection_id: int, clinician_id: int
) -> Reflection | None:
    """A reflection by id, only if it belongs to this clinician."""
    result = await session.execute(
        select(Reflection).where(
            col(Reflection.id) == reflection_id,
            col(Reflection.clinician_id) == clinician_id,
        )
    )
    return result.scalar_one_or_none()


async def open_reflection(
    session: AsyncSession,
    *,
    clinician_id: int,
    now: datetime,
    stale_before: datetime,
    seen: Seen | None = None,
) -> tuple[Reflection | None, Reflection | None]:
    """(the reflection in progress, the one just set aside for being untouched since
    `stale_before` (``now - journaling.STALE_AFTER``); it is closed as of `now`).

    This is the lazy half of the 24-hour rule: it runs whenever the clinician writes, so the
    rule holds even if the scheduler's tick has not run yet. `seen`, when it was read a moment
    ago in this update (the guard's query), saves a query.
    """
    reflection = (
        seen.reflection if seen is not None else await get_open(session, clinician_id=clinician_id)
    )
    if reflection is None or reflection.last_activity_at > stale_before:
        return reflection, None
    await finish(session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=now)
    return None, reflection


@dataclass(frozen=True, slots=True)
class GivenAnswer:
    """An answer without its text: enough to decide conditions and progress, and cheap,
    because nothing needs decrypting."""

    step_id: str
    kind: str
    rating: int | None
    choice: str | None
    text: str | None = None


class Seen(NamedTuple):
    """The clinician's open reflection (None: none) and its answers so far, as the guard read
    them a moment ago in this update, in the same transaction: a flow given this asks for
    neither again."""

    reflection: Reflection | None
    given: tuple[GivenAnswer, ...] = ()


async def given_answers(
    session: AsyncSession, reflection: Reflection, *, seen: Seen | None = None
) -> list[GivenAnswer]:
    """The reflection's answers as the flow needs them (no encrypted columns read): as the
    guard read them with it a moment ago in this update (`seen`), or asked for now."""
    if seen is not None and seen.reflection is reflection:
        return list(seen.given)
    result = await session.execute(_GIVEN_ANSWERS, {"reflection_id": _id(reflection)})
    return [GivenAnswer(step_id, kind, rating, choice) for step_id, kind, rating, choice in result]


def given_in_order(aggregated: list[list[Any]] | None) -> tuple[GivenAnswer, ...]:
    """Given answers from a JSON aggregate of [position, id, step_id, kind, rating, choice]
    rows (see repositories/clinicians.py's admission), in the order they were asked."""
    rows = sorted(aggregated or (), key=lambda row: (row[0], row[1]))
    return tuple(
        GivenAnswer(step_id, kind, rating, choice) for _, _, step_id, kind, rating, choice in rows
    )


async def answers_of(session: AsyncSession, *, reflection_id: int) -> list[Answer]:
    """The reflection's answers in the order they were asked."""
    result = await session.execute(
        select(Answer)
        .where(col(Answer.reflection_id) == reflection_id)
        .order_by(col(Answer.position), col(Answer.id))
    )
    return list(result.scalars())


# --------------------------------------------------------------------------- moving forward


async def start(
    session: AsyncSession,
    *,
    clinician_id: int,
    program_id: str,
    program_title: str,
    first_step_id: str,
    now: datetime,
    delivery_id: int | None = None,
) -> Reflection:
    """Opens a reflection at its first step (IntegrityError if one is already open)."""
    reflection = Reflection(
        clinician_id=clinician_id,
        program_id=program_id,
        program_title=program_title,
        current_step=first_step_id,
        delivery_id=delivery_id,
        started_at=now,
        last_activity_at=now,
    )
    session.add(reflection)
    await session.flush()
    return reflection


async def save_answer(
    session: AsyncSession,
    *,
    reflection: Reflection,
    step_id: str,
    position: int,
    question: str,
    answer: ReadAnswer,
    choice_label: str | None,
    next_step_id: str | None,
    now: datetime,
    telegram_message_id: int | None = None,
) -> bool:
    """Stores the answer to `step_id` and moves to `next_step_id` (None: completed).

    False, with nothing stored, when the reflection is no longer waiting for that step
    (finished, moved on, or answered a moment ago by the same button pressed twice).
    """
    done = next_step_id is None
    # Time between answers; a resume resets last_activity_at, so a long pause does not count.
    seconds_spent = reflection.seconds_spent + seconds_between(reflection.last_activity_at, now)
    moved_on: dict[str, Any] = {
        "current_step": next_step_id,
        "question_message_id": None,
        "last_activity_at": now,
        "seconds_spent": seconds_spent,
        "status": ReflectionStatus.COMPLETED.value if done else _IN_PROGRESS,
        "finished_at": now if done else None,
    }
    # Core statements: this is the path every answer takes, and the ORM's unit of work
    # costs a noticeable share of the round trip (see bench/results/P1.md).
    move = {
        "reflection_id": _id(reflection),
        "step_id": step_id,
        **{f"new_{name}": value for name, value in moved_on.items()},
    }
    values = {
        "position": position,
        "question": question,
        "kind": answer.kind.value,
        "text": answer.text,
        "rating": answer.rating,
        "choice": answer.choice,
        "choice_label": choice_label,
        "telegram_message_id": telegram_message_id,
        "answered_at": now,
    }
    if session.get_bind().dialect.name == "postgresql":
        added = await session.execute(_MOVE_ON_AND_ADD_ANSWER, {**move, **values})
        if rowcount(added) != 1:
            return False
    else:
        if rowcount(await session.execute(_MOVE_ON, move)) != 1:
            return False
        await session.execute(
            _ADD_ANSWER, {"reflection_id": move["reflection_id"], "step_id": step_id, **values}
        )
    for name, value in moved_on.items():  # the row as stored, without a reload
        set_committed_value(reflection, name, value)
    return True


async def set_question_messages(session: AsyncSession, asked: list[dict[str, Any]]) -> None:
    """Remembers which bot messages asked the steps (`reflection_id`, `step_id`, `message_id`
    each), where the step is still current."""
    await session.execute(_REMEMBER_QUESTION, asked)


async def finish(
    session: AsyncSession, *, reflection: Reflection, status: ReflectionStatus, now: datetime
) -> None:
    """Ends a reflection as completed or incomplete; answers are kept either way."""
    reflection.status = status.value
    reflection.finished_at = now
    session.add(reflection)
    await session.flush()


async def discard(session: AsyncSession, *, reflection: Reflection, now: datetime) -> None:
    """The clinician threw this reflection away: its answers are deleted, the row stays empty."""
    await session.execute(delete(Answer).where(col(Answer.reflection_id) == reflection.id))
    await session.execute(
        delete(ReflectionConcept).where(col(ReflectionConcept.reflection_id) == reflection.id)
    )
    reflection.status = ReflectionStatus.DISCARDED.value
    reflection.current_step = None
    reflection.question_message_id = None
    reflection.finished_at = now
    session.add(reflection)
    await session.flush()


async def resume(session: AsyncSession, *, reflection: Reflection, now: datetime) -> None:
    """Takes up an incomplete reflection again at the step it stopped on."""
    reflection.status = _IN_PROGRESS
    reflection.finished_at = None
    reflection.last_activity_at = now  # the pause is not counted as time spent
    session.add(reflection)
    await session.flush()


async def close_stale_reflections(
    session: AsyncSession, *, stale_before: datetime, now: datetime
) -> int:
    """Closes, as of `now`, every reflection in progress untouched since `stale_before`
    (``now - journaling.STALE_AFTER``) as incomplete; returns how many.

    The scheduler's tick calls this; `open_reflection` applies the same rule lazily.
    """
    result = await session.execute(
        update(Reflection)
        .where(
            col(Reflection.status) == _IN_PROGRESS,
            col(Reflection.last_activity_at) <= stale_before,
        )
        .values(status=ReflectionStatus.INCOMPLETE.value, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


# --------------------------------------------------------------------------- the journal


async def journal_page(
    session: AsyncSession, *, clinician_id: int, offset: int, limit: int
) -> tuple[list[Reflection], int]:
    """The clinician's reflections, newest first (discarded ones left out), and their count."""
    visible = and_(
        col(Reflection.clinician_id) == clinician_id,
        col(Reflection.status) != ReflectionStatus.DISCARDED.value,
    )
    total = (
        await session.execute(select(func.count()).select_from(Reflection).where(visible))
    ).scalar_one()
    result = await session.execute(
        select(Reflection)
        .where(visible)
        .order_by(col(Reflection.started_at).desc(), col(Reflection.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.scalars()), int(total)


async def first_written_answers(
    session: AsyncSession, *, reflection_ids: Sequence[int]
) -> dict[int, str]:
    """For each reflection, its first written (text) answer, for a one-line preview."""
    if not reflection_ids:
        return {}
    result = await session.execute(
        select(Answer)
        .where(
            col(Answer.reflection_id).in_(reflection_ids),
            col(Answer.kind) == AnswerKind.TEXT.value,
        )
        .order_by(col(Answer.reflection_id), col(Answer.position))
    )
    firsts: dict[int, str] = {}
    for answer in result.scalars():
        if answer.text is not None:
            firsts.setdefault(answer.reflection_id, answer.text)
    return firsts


async def answer_for_message(
    session: AsyncSession, *, clinician_id: int, telegram_message_id: int
) -> Answer | None:
    """The answer a clinician gave with this message of theirs (only their own)."""
    result = await session.execute(
        select(Answer)
        .join(Reflection, col(Reflection.id) == col(Answer.reflection_id))
        .where(
            col(Reflection.clinician_id) == clinician_id,
            col(Reflection.status) != ReflectionStatus.DISCARDED.value,
            col(Answer.telegram_message_id) == telegram_message_id,
        )
    )
    return result.scalars().first()


async def revise_answer(
    session: AsyncSession,
    *,
    answer: Answer,
    revised: ReadAnswer,
    previous_as_text: str | None,
    choice_label: str | None,
    now: datetime,
    identifying_flagged: bool = False,
) -> None:
    """Replaces an answer with the clinician's edit, keeping the previous version; the flag
    says whether the new text still seems to identify a client (an edit made clean clears
    it)."""
    session.add(AnswerRevision(answer_id=_id(answer), text=previous_as_text, replaced_at=now))
    answer.kind = revised.kind.value
    answer.text = revised.text
    answer.rating = revised.rating
    answer.choice = revised.choice
    answer.choice_label = choice_label
    answer.edited_at = now
    answer.identifying_flagged = identifying_flagged
    session.add(answer)
    await session.flush()


async def latest_completed(
    session: AsyncSession, *, clinician_id: int, program_id: str, since: datetime
) -> Reflection | None:
    """The clinician's most recent completed reflection on the program, finished since."""
    result = await session.execute(
        select(Reflection)
        .where(
            col(Reflection.clinician_id) == clinician_id,
            col(Reflection.program_id) == program_id,
            col(Reflection.status) == ReflectionStatus.COMPLETED.value,
            col(Reflection.finished_at) >= since,
        )
        .order_by(col(Reflection.finished_at).desc())
        .limit(1)
    )
    return result.scalars().first()


async def add_answer_later(
    session: AsyncSession,
    *,
    reflection: Reflection,
    step_id: str,
    position: int,
    question: str,
    text: str,
    now: datetime,
) -> None:
    """A text answer to a step of a finished reflection that had none (a later note)."""
    session.add(
        Answer(
            reflection_id=_id(reflection),
            step_id=step_id,
            position=position,
            question=question,
            kind=AnswerKind.TEXT.value,
            text=text,
            answered_at=now,
        )
    )
    await session.flush()


async def revisions_of(session: AsyncSession, *, answer_id: int) -> list[AnswerRevision]:
    """Earlier versions of an answer, oldest first."""
    result = await session.execute(
        select(AnswerRevision)
        .where(col(AnswerRevision.answer_id) == answer_id)
        .order_by(col(AnswerRevision.replaced_at), col(AnswerRevision.id))
    )
    return list(result.scalars())


def _id(row: Reflection | Answer) -> int:
    if row.id is None:  # pragma: no cover - rows here always come from the database
        raise ValueError("row has not been stored yet")
    return row.id
