"""Use cases run against a real database (SQLite file and PostgreSQL, via `sessions`), the
real catalog and a clock that moves only when told; no bot, no emulator.

Rows are written through the repositories, as the bot writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog, StepKind, default_prompts_dir, load_catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Reflection
from reflect_bot.db.repositories import clinicians, goals, reflections
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer, position_of

NOW = datetime(2026, 11, 5, 14, 30, tzinfo=UTC)  # a Thursday

#: Answers in the order given: (step id, text | rating | option id).
Given = Sequence[tuple[str, str | int]]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def add_clinician(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user: int,
    zone: str | None = "Europe/London",
    name: str | None = None,
) -> Clinician:
    """A consented clinician, as /start and the time-zone button leave them."""
    async with transaction(sessions) as session:
        clinician = await clinicians.register(
            session, telegram_user_id=user, chat_id=user, display_name=name, now=NOW
        )
        if zone is not None:
            await clinicians.set_timezone(session, clinician=clinician, zone=zone, now=NOW)
    return clinician


async def add_reflection(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    *,
    clinician: Clinician,
    program_id: str,
    answers: Given,
    started_at: datetime = NOW - timedelta(days=1),
    finished: bool = True,
    first_message_id: int | None = None,
) -> Reflection:
    """A reflection answered in order, (step id, text | rating | option id) a minute apart;
    left open after the last answer unless `finished`. Text answers get Telegram message ids
    counting up from `first_message_id`, so edits of them can be found."""
    assert clinician.id is not None
    program = catalog.program(program_id)
    message_id = first_message_id
    async with transaction(sessions) as session:
        reflection = await reflections.start(
            session,
            clinician_id=clinician.id,
            program_id=program.id,
            program_title=program.title,
            first_step_id=answers[0][0],
            now=started_at,
        )
        now = started_at
        for index, (step_id, value) in enumerate(answers):
            step = program.step(step_id)
            now += timedelta(minutes=1)
            if index + 1 < len(answers):
                following: str | None = answers[index + 1][0]
            else:
                following = None if finished else step_id
            label = None
            if step.kind is StepKind.RATING:
                assert isinstance(value, int)
                read = ReadAnswer(step_id, AnswerKind.RATING, rating=value)
            elif step.kind is StepKind.CHOICE:
                assert isinstance(value, str)
                read = ReadAnswer(step_id, AnswerKind.CHOICE, choice=value)
                label = step.option(value).label
            else:
                assert isinstance(value, str)
                read = ReadAnswer(step_id, AnswerKind.TEXT, text=value)
            stored = await reflections.save_answer(
                session,
                reflection=reflection,
                step_id=step_id,
                position=position_of(program, step_id),
                question=step.question,
                answer=read,
                choice_label=label,
                next_step_id=following,
                now=now,
                telegram_message_id=message_id if step.kind is StepKind.TEXT else None,
            )
            assert stored, step_id
            if message_id is not None and step.kind is StepKind.TEXT:
                message_id += 1
    return reflection


async def add_goal(
    sessions: async_sessionmaker[AsyncSession],
    clinician: Clinician,
    *,
    text: str = "Name the strain",
    now: datetime = NOW,
) -> int:
    """An open learning goal, as a finished reflection's goal step leaves it; its id."""
    assert clinician.id is not None
    async with transaction(sessions) as session:
        goal = await goals.add(
            session,
            clinician_id=clinician.id,
            reflection_id=None,
            program_title="Post-session check-in",
            text=text,
            now=now,
        )
    assert goal.id is not None
    return goal.id
