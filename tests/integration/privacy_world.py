"""Rows in every table for a few clinicians, written straight through the models."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import (
    AnswerRevision,
    CpdActivity,
    Digest,
    EvidenceChoice,
    Invite,
    ProcessedUpdate,
)
from tests import factories
from tests.factories import add

NOW = factories.NOW  # every row is written at the factories' moment


async def add_clinician(
    session: AsyncSession, *, user: int, marker: str, reflections: int = 1
) -> int:
    """A clinician with a schedule, a delivery, reflections with answers, a revision and an
    evidence choice, a CPD activity and a digest; every free-text field carries `marker`."""
    clinician = await add(session, factories.clinician(user=user, name=f"{marker} name"))
    assert clinician.id is not None
    schedule = await add(session, factories.schedule(clinician_id=clinician.id))
    assert schedule.id is not None
    delivery = await add(
        session, factories.delivery(clinician_id=clinician.id, schedule_id=schedule.id)
    )
    for number in range(reflections):
        reflection = await add(
            session,
            factories.reflection(
                clinician_id=clinician.id,
                program_title="Post-session check-in",
                status="completed",
                delivery_id=delivery.id,
            ),
        )
        assert reflection.id is not None
        answer = factories.answer(
            reflection_id=reflection.id,
            step_id="notes",
            question=f"{marker} question {number}",
            text=f"{marker} answer {number}",
        )
        choice = factories.answer(
            reflection_id=reflection.id,
            step_id="rupture",
            position=2,
            question="Was there a rupture?",
            choice="withdrawal",
            choice_label=f"{marker} withdrawal",
        )
        session.add_all([answer, choice])
        await session.flush()
        assert answer.id is not None
        session.add(AnswerRevision(answer_id=answer.id, text=f"{marker} earlier", replaced_at=NOW))
        session.add(
            EvidenceChoice(
                reflection_id=reflection.id,
                profile_id="nmc",
                choice_id="code_themes",
                options="people",
                chosen_at=NOW,
            )
        )
    session.add(
        CpdActivity(
            clinician_id=clinician.id,
            kind="course",
            title=f"{marker} course",
            minutes=90,
            done_on=date(2026, 10, 27),
            created_at=NOW,
        )
    )
    session.add(Digest(clinician_id=clinician.id, week_start=date(2026, 10, 26), created_at=NOW))
    await session.flush()
    return clinician.id


async def add_shared_rows(session: AsyncSession) -> None:
    """Rows that belong to no clinician: processed updates and an unused invite."""
    session.add(ProcessedUpdate(update_id=1, processed_at=NOW))
    session.add(Invite(code_hash="0" * 64, created_at=NOW))
    await session.flush()


async def count_rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Rows per table, for every table in the schema."""
    counts: dict[str, int] = {}
    async with transaction(sessions) as session:
        for table in SQLModel.metadata.sorted_tables:
            query = select(func.count()).select_from(table)
            counts[table.name] = int((await session.execute(query)).scalar_one())
    return counts
