"""Which rows belong to whom: follows ON DELETE CASCADE foreign keys from `clinician`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from reflect_bot.db.engine import transaction

# Tables whose rows belong to no clinician: update ids, invite codes, the key canary.
UNOWNED = {"processed_update", "invite", "key_canary"}


def _owner_links(table: Table) -> list[tuple[str, str]]:
    """(column, parent table) for every cascading foreign key of `table`."""
    return [
        (fk.parent.name, fk.column.table.name)
        for fk in table.foreign_keys
        if (fk.ondelete or "").upper() == "CASCADE"
    ]


async def rows_of(sessions: async_sessionmaker[AsyncSession], user: int) -> dict[str, set[Any]]:
    """Primary keys of every row owned by the clinician with this Telegram user id, per
    table (tables where they own nothing are left out). Fails on a table that neither
    cascades from `clinician` nor is known to be unowned: /forget must decide about it."""
    owned: dict[str, set[Any]] = {}
    async with transaction(sessions) as session:
        for table in SQLModel.metadata.sorted_tables:
            key = next(iter(table.primary_key.columns))
            if table.name == "clinician":
                query = select(key).where(table.c.telegram_user_id == user)
                owned[table.name] = set((await session.execute(query)).scalars())
                continue
            links = _owner_links(table)
            if not links:
                assert table.name in UNOWNED, f"who owns rows of {table.name!r}?"
                continue
            ids: set[Any] = set()
            for column, parent in links:
                parents = owned.get(parent, set())
                if parents:
                    query = select(key).where(table.c[column].in_(parents))
                    ids |= set((await session.execute(query)).scalars())
            owned[table.name] = ids
    return {name: ids for name, ids in owned.items() if ids}
