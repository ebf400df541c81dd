"""Processed Telegram update ids: the same update delivered twice is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.models import ProcessedUpdate


async def mark_processed(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Records the update id; False when it was already recorded (a redelivery)."""
    try:
        async with session.begin_nested():
            session.add(ProcessedUpdate(update_id=update_id, processed_at=now))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def forget_older_than(session: AsyncSession, *, cutoff: datetime) -> int:
    """Drops old ids; Telegram never redelivers an update after a day."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff)  # type: ignore[arg-type]
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
