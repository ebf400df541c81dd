"""Pooled PostgreSQL connections the server has closed are replaced, not used.

A restart, a failover or an operator's pg_terminate_backend ends the bot's connections while
they wait in its pool. The next transaction must get a live one and simply work; the check
costs no round trip (db/engine.py).
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction

pytestmark = pytest.mark.postgres


async def _backend(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with transaction(sessions) as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_the_server_ended_is_replaced_at_the_next_transaction(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url, pool_size=2, max_overflow=0)
    sessions = create_sessionmaker(engine)
    admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        first = await _backend(sessions)
        ended = await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        assert ended
        await asyncio.sleep(0.2)  # the server's goodbye reaches the bot's event loop

        second = await _backend(sessions)  # no error: a new connection, a new backend

        assert second != first
    finally:
        await admin.close()
        await engine.dispose()
