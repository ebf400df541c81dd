"""The Alembic history builds exactly the tables the code declares, on both databases."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import reflect_bot.db.models  # noqa: F401 - registers the tables
from reflect_bot.db.engine import create_engine
from reflect_bot.db.migrations import (
    current_revision,
    downgrade_base,
    head_revision,
    pending,
    upgrade_head,
)

T = TypeVar("T")


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _run(url: str, fn: Callable[[Connection], T]) -> T:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def test_upgrade_matches_models_then_downgrade_empties(database_url: str) -> None:
    assert asyncio.run(pending(database_url))
    upgrade_head(database_url)
    assert asyncio.run(current_revision(database_url)) == head_revision(database_url)
    assert not asyncio.run(pending(database_url))
    assert asyncio.run(_run(database_url, _diff)) == []
    assert set(SQLModel.metadata.tables) <= asyncio.run(_run(database_url, _tables))

    downgrade_base(database_url)
    assert asyncio.run(_run(database_url, _tables)) <= {"alembic_version"}
