"""Processed Telegram update ids: the same update delivered twice is handled once."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import ProcessedUpdate
from reflect_bot.db.statements import insert_or_ignore, rowcount, table_of


async def mark_processed(
    session: AsyncSession, *, update_id: int, now: datetime, person: int | None = None
) -> bool:
    """Records the update id; False when it was already recorded (a redelivery).

    With `person` (a Telegram user id), on PostgreSQL, the same statement first waits for and
    then holds until the transaction ends a transaction-scoped advisory lock on that person's
    updates, so bot instances sharing the database handle one person's updates one at a
    time, each reading what the one before committed (reads come after this statement). One
    round trip for both, on every update's path. SQLite serves one bot process, whose
    updates from one chat already run one at a time (bot/updates.py).

    The same update being handled by another instance makes this wait for that
    transaction: then it is False if the other one committed.
    """
    dialect = session.get_bind().dialect.name
    parameters: dict[str, Any] = {"update_id": update_id, "processed_at": now}
    if person is not None and dialect == "postgresql":
        statement = _mark_one_at_a_time()
        parameters["person"] = person
    else:
        statement = _mark(dialect)
    # One statement on every update's path (no savepoint to catch a duplicate key).
    return rowcount(await session.execute(statement, parameters)) == 1


@functools.cache
def _mark(dialect: str) -> Any:
    """The insert-or-ignore of an update id, built once per SQL dialect (on every update's
    path; see repositories/reflections.py's statements)."""
    # The Core table, not the model: the ORM's bulk insert would not report the row count.
    return insert_or_ignore(dialect, table_of(ProcessedUpdate), conflict=["update_id"])


@functools.cache
def _mark_one_at_a_time() -> Any:
    """PostgreSQL: INSERT … SELECT :update_id, :processed_at FROM (SELECT
    pg_advisory_xact_lock(:person)) ON CONFLICT DO NOTHING."""
    table = table_of(ProcessedUpdate)
    locked = select(func.pg_advisory_xact_lock(bindparam("person"))).subquery("locked")
    row = select(
        bindparam("update_id", type_=table.c.update_id.type),
        bindparam("processed_at", type_=table.c.processed_at.type),
    ).select_from(locked)
    return insert_or_ignore("postgresql", table, conflict=["update_id"]).from_select(
        ["update_id", "processed_at"], row
    )


async def forget_older_than(session: AsyncSession, *, cutoff: datetime) -> int:
    """Drops old ids; Telegram never redelivers an update after a day."""
    result = await session.execute(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < cutoff)
    )
    return rowcount(result)
