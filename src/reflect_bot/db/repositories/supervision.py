"""Supervision marks (reflections to take to supervision) and logged supervision sessions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import Reflection, SupervisionMark, SupervisionSession
from reflect_bot.db.statements import insert_or_ignore, rowcount
from reflect_bot.domain.supervision import MARKABLE, SessionKind


async def mark(
    session: AsyncSession, *, clinician_id: int, reflection_id: int, now: datetime
) -> bool | None:
    """Marks one of the clinician's finished reflections; True when newly marked, False when
    it already was, None when it is not theirs (or not finished)."""
    owned = await session.execute(
        select(col(Reflection.id)).where(
            col(Reflection.id) == reflection_id,
            col(Reflection.clinician_id) == clinician_id,
            col(Reflection.status).in_(MARKABLE),
        )
    )
    if owned.scalar_one_or_none() is None:
        return None
    result = await session.execute(
        insert_or_ignore(session, SupervisionMark, conflict=["reflection_id"]).values(
            clinician_id=clinician_id, reflection_id=reflection_id, marked_at=now
        )
    )
    return rowcount(result) > 0


async def marked_ids(session: AsyncSession, *, clinician_id: int) -> list[int]:
    result = await session.execute(
        select(col(SupervisionMark.reflection_id))
        .where(col(SupervisionMark.clinician_id) == clinician_id)
        .order_by(col(SupervisionMark.id))
    )
    return list(result.scalars())


async def last_held_on(session: AsyncSession, *, clinician_id: int) -> date | None:
    result = await session.execute(
        select(func.max(col(SupervisionSession.held_on))).where(
            col(SupervisionSession.clinician_id) == clinician_id
        )
    )
    held: date | None = result.scalar_one_or_none()
    return held


async def log_session(
    session: AsyncSession,
    *,
    clinician_id: int,
    held_on: date,
    minutes: int,
    kind: SessionKind,
    now: datetime,
) -> int:
    """Records the session and clears the marks; returns how many marks it cleared."""
    session.add(
        SupervisionSession(
            clinician_id=clinician_id, held_on=held_on, minutes=minutes, kind=kind, created_at=now
        )
    )
    result = await session.execute(
        delete(SupervisionMark).where(col(SupervisionMark.clinician_id) == clinician_id)
    )
    await session.flush()
    return rowcount(result)
