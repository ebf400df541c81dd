"""INSERT … ON CONFLICT DO NOTHING for either database, from one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def insert_or_ignore(session: AsyncSession, model: Any, *, conflict: list[str]) -> Any:
    """An insert into `model` that skips rows clashing on the `conflict` columns' unique key.

    Both SQLite and PostgreSQL say ON CONFLICT, but SQLAlchemy builds it per dialect. The
    dialect is imported here, not at module level: loading PostgreSQL's costs a SQLite
    process start-up time and ≈ 2 MB it never uses.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(model).on_conflict_do_nothing(index_elements=conflict)
