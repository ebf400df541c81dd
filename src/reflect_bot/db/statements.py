"""What every repository needs from a statement, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.ext.asyncio import AsyncSession


def insert_or_ignore(session: AsyncSession | str, model: Any, *, conflict: list[str]) -> Any:
    """An insert into `model` that skips rows clashing on the `conflict` columns' unique key,
    for the session's database (or the dialect named).

    Both SQLite and PostgreSQL say ON CONFLICT, but SQLAlchemy builds it per dialect. The
    dialect is imported here, not at module level: loading PostgreSQL's costs a SQLite
    process start-up time and ≈ 2 MB it never uses.
    """
    dialect = session if isinstance(session, str) else session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(model).on_conflict_do_nothing(index_elements=conflict)


def rowcount(result: Any) -> int:
    """Rows an INSERT, UPDATE or DELETE touched (session.execute types its result loosely)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def table_of(model: Any) -> Table:
    """A SQLModel table model's Table, for Core statements (SQLModel does not type __table__)."""
    return cast(Table, model.__table__)
