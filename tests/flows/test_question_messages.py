"""The messages that asked reflections' steps are written to the database in batches, soon
after they are sent and when the bot stops, so another instance can take their buttons away;
a step answered meanwhile is left alone."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.bot.question_messages import QuestionMessages
from reflect_bot.catalog import Catalog
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Reflection
from tests.flows.conftest import add_clinician, add_reflection
from tests.shipped import CHECKIN_PROGRAM_ID

Sessions = async_sessionmaker[AsyncSession]


async def _open_checkin(sessions: Sessions, catalog: Catalog, user: int) -> int:
    """A check-in whose current step is "bond" (asked again after its answer)."""
    clinician = await add_clinician(sessions, user=user)
    reflection = await add_reflection(
        sessions,
        catalog,
        clinician=clinician,
        program_id=CHECKIN_PROGRAM_ID,
        answers=[("bond", 4)],
        finished=False,
    )
    assert reflection.id is not None
    return reflection.id


async def _stored(sessions: Sessions) -> dict[int | None, int | None]:
    async with transaction(sessions) as session:
        rows = await session.execute(
            select(col(Reflection.id), col(Reflection.question_message_id))
        )
        return {id_: message_id for id_, message_id in rows}


async def test_written_soon_in_one_batch(sessions: Sessions, catalog: Catalog) -> None:
    first = await _open_checkin(sessions, catalog, 1)
    second = await _open_checkin(sessions, catalog, 2)
    questions = QuestionMessages(sessions, delay=0.05)
    questions.asked(first, "goals", 10)
    questions.asked(first, "bond", 11)  # the same reflection asked again: the latest counts
    questions.asked(second, "bond", 20)
    assert questions.message_of(first, "bond") == 11
    assert questions.message_of(first, "goals") is None
    for _ in range(200):
        if await _stored(sessions) == {first: 11, second: 20}:
            break
        await asyncio.sleep(0.05)
    assert await _stored(sessions) == {first: 11, second: 20}
    await questions.close()


async def test_close_writes_what_is_pending(sessions: Sessions, catalog: Catalog) -> None:
    reflection = await _open_checkin(sessions, catalog, 1)
    questions = QuestionMessages(sessions, delay=3600)
    questions.asked(reflection, "bond", 30)
    await questions.close()
    assert await _stored(sessions) == {reflection: 30}


async def test_a_step_answered_meanwhile_is_left_alone(
    sessions: Sessions, catalog: Catalog
) -> None:
    reflection = await _open_checkin(sessions, catalog, 1)  # waits for "bond"
    questions = QuestionMessages(sessions, delay=3600)
    questions.asked(reflection, "goals", 40)  # no longer its current step
    await questions.close()
    assert await _stored(sessions) == {reflection: None}
