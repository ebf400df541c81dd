"""Processed update ids are kept long enough to stop redeliveries, then forgotten by the tick."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import ProcessedUpdate
from reflect_bot.db.repositories import updates

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


async def test_a_redelivery_is_refused_and_old_ids_are_forgotten(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessions) as session:
        assert await updates.mark_processed(session, update_id=1, now=NOW - timedelta(days=2))
        assert await updates.mark_processed(session, update_id=2, now=NOW)
        assert not await updates.mark_processed(session, update_id=2, now=NOW)
    async with transaction(sessions) as session:
        forgotten = await updates.forget_older_than(session, cutoff=NOW - timedelta(days=1))
    async with transaction(sessions) as session:
        kept = (await session.execute(select(col(ProcessedUpdate.update_id)))).scalars().all()
    assert forgotten == 1
    assert kept == [2]
