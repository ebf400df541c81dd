"""Rows in every table for a few clinicians, written straight through the models."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import (
    Answer,
    AnswerRevision,
    Clinician,
    Delivery,
    Digest,
    Invite,
    ProcessedUpdate,
    Reflection,
    Schedule,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def add_clinician(
    session: AsyncSession, *, user: int, marker: str, reflections: int = 1
) -> int:
    """A clinician with a schedule, a delivery, reflections with answers and a revision,
    and a digest; every free-text field carries `marker`."""
    clinician = Clinician(
        telegram_user_id=user,
        chat_id=user,
        display_name=f"{marker} name",
        consented_at=NOW,
        timezone="Europe/London",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(clinician)
    await session.flush()
    assert clinician.id is not None
    schedule = Schedule(
        clinician_id=clinician.id, local_time=time(9), created_at=NOW, updated_at=NOW
    )
    session.add(schedule)
    await session.flush()
    assert schedule.id is not None
    delivery = Delivery(
        clinician_id=clinician.id,
        schedule_id=schedule.id,
        local_date=date(2026, 11, 2),
        due_at=NOW,
        created_at=NOW,
    )
    session.add(delivery)
    await session.flush()
    for number in range(reflections):
        reflection = Reflection(
            clinician_id=clinician.id,
            program_id="post-session-checkin",
            program_title="Post-session check-in",
            status="completed",
            delivery_id=delivery.id,
            started_at=NOW,
            last_activity_at=NOW,
        )
        session.add(reflection)
        await session.flush()
        assert reflection.id is not None
        answer = Answer(
            reflection_id=reflection.id,
            step_id="notes",
            position=1,
            question=f"{marker} question {number}",
            kind="text",
            text=f"{marker} answer {number}",
            answered_at=NOW,
        )
        choice = Answer(
            reflection_id=reflection.id,
            step_id="rupture",
            position=2,
            question="Was there a rupture?",
            kind="choice",
            choice="withdrawal",
            choice_label=f"{marker} withdrawal",
            answered_at=NOW,
        )
        session.add_all([answer, choice])
        await session.flush()
        assert answer.id is not None
        session.add(AnswerRevision(answer_id=answer.id, text=f"{marker} earlier", replaced_at=NOW))
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
