"""Processed Telegram update ids: the same update delivered twice is handled once."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import ProcessedUpdate
from reflect_bot.db.statements import insert_or_ignore, rowcount, table_of


async def mark_processed(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Records the update id; False when it was already recorded (a redelivery).

    On PostgreSQL, the same update being handled elsewhere (another instance) makes this wait
    until that transaction ends: then it is False if the other one committed.
    """
    # One statement on every update's path (no savepoint to catch a duplicate key).
    result = await session.execute(
        _mark(session.get_bind().dialect.name),
        {"update_id": update_id, "processed_at": now},
    )
    return rowcount(result) == 1


@functools.cache
def _mark(dialect: str) -> Any:
    """The insert-or-ignore of an update id, built once per SQL dialect (on every update's
    path; see repositories/reflections.py's statements)."""
    # The Core table, not the model: the ORM's bulk insert would not report the row count.
    return insert_or_ignore(dialect, table_of(ProcessedUpdate), conflict=["update_id"])


async def forget_older_than(session: AsyncSession, *, cutoff: datetime) -> int:
    """Drops old ids; Telegram never redelivers an update after a day."""
    result = await session.execute(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < cutoff)
    )
    return rowcount(result)
