"""Processed Telegram update ids: the same update delivered twice is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import ProcessedUpdate
from reflect_bot.db.statements import insert_or_ignore, rowcount


async def mark_processed(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Records the update id; False when it was already recorded (a redelivery)."""
    # One statement on every update's path (no savepoint to catch a duplicate key).
    result = await session.execute(
        insert_or_ignore(session, ProcessedUpdate, conflict=["update_id"]).values(
            update_id=update_id, processed_at=now
        )
    )
    return rowcount(result) == 1


async def forget_older_than(session: AsyncSession, *, cutoff: datetime) -> int:
    """Drops old ids; Telegram never redelivers an update after a day."""
    result = await session.execute(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < cutoff)
    )
    return rowcount(result)
