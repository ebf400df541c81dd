"""Filling a clinician's journal through the real repositories, as the reflection flow does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.catalog import Program, StepKind
from reflect_bot.db.models import Clinician, Reflection
from reflect_bot.db.repositories import clinicians, reflections
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer, ReflectionStatus, position_of


async def seed_clinician(
    session: AsyncSession,
    *,
    user_id: int,
    now: datetime,
    zone: str = "Europe/London",
    name: str | None = "Ana Ruiz",
) -> Clinician:
    clinician = await clinicians.register(
        session, telegram_user_id=user_id, chat_id=user_id, display_name=name, now=now
    )
    await clinicians.set_timezone(session, clinician=clinician, zone=zone, now=now)
    return clinician


async def seed_reflection(
    session: AsyncSession,
    *,
    clinician_id: int,
    program: Program,
    answers: Sequence[tuple[str, str | int]],
    started_at: datetime,
    status: str = ReflectionStatus.COMPLETED.value,
    seconds_per_answer: int = 60,
) -> Reflection:
    """A reflection answered step by step: (step id, text | rating | option id) in order.

    The last answer completes it, unless `status` says it was left incomplete, is still in
    progress or was discarded.
    """
    reflection = await reflections.start(
        session,
        clinician_id=clinician_id,
        program_id=program.id,
        program_title=program.title,
        first_step_id=answers[0][0],
        now=started_at,
    )
    now = started_at
    completed = status == ReflectionStatus.COMPLETED.value
    for index, (step_id, value) in enumerate(answers):
        step = program.step(step_id)
        now += timedelta(seconds=seconds_per_answer)
        if index + 1 < len(answers):
            next_step: str | None = answers[index + 1][0]
        elif completed:
            next_step = None
        else:  # stays open, at the step after the last answer (or that answer's own step)
            later = program.step_ids[program.step_ids.index(step_id) + 1 :]
            next_step = later[0] if later else step_id
        answer = _read(step_id, step.kind, value)
        choice_label = None
        if step.kind is StepKind.CHOICE:
            assert isinstance(value, str)  # an option id
            choice_label = step.option(value).label
        stored = await reflections.save_answer(
            session,
            reflection=reflection,
            step_id=step_id,
            position=position_of(program, step_id),
            question=step.question,
            answer=answer,
            choice_label=choice_label,
            next_step_id=next_step,
            now=now,
        )
        assert stored, f"step {step_id} was not stored"
    if status == ReflectionStatus.INCOMPLETE.value:
        await reflections.finish(
            session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=now
        )
    elif status == ReflectionStatus.DISCARDED.value:
        await reflections.discard(session, reflection=reflection, now=now)
    return reflection


async def edit_text_answer(
    session: AsyncSession, *, reflection_id: int, step_id: str, text: str, now: datetime
) -> None:
    """The clinician edits the message that held a text answer."""
    answer = next(
        a
        for a in await reflections.answers_of(session, reflection_id=reflection_id)
        if a.step_id == step_id
    )
    await reflections.revise_answer(
        session,
        answer=answer,
        revised=ReadAnswer(step_id, AnswerKind.TEXT, text=text),
        previous_as_text=answer.text,
        choice_label=None,
        now=now,
    )


def _read(step_id: str, kind: StepKind, value: str | int) -> ReadAnswer:
    if kind is StepKind.RATING:
        assert isinstance(value, int)
        return ReadAnswer(step_id, AnswerKind.RATING, rating=value)
    assert isinstance(value, str)
    if kind is StepKind.CHOICE:
        return ReadAnswer(step_id, AnswerKind.CHOICE, choice=value)
    return ReadAnswer(step_id, AnswerKind.TEXT, text=value)
