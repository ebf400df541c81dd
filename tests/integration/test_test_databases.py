"""The suite's PostgreSQL databases: a recycled one is indistinguishable from a new copy.

Every PostgreSQL test trusts that its database holds nothing another test wrote, and has the
newest schema and nothing else. These tests hold `TestDatabases` to that with a database of
their own making, read back with asyncpg.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from tests.postgres import POSTGRES_URL, TestDatabases, connect

pytestmark = pytest.mark.postgres
CLINICIAN = (
    "telegram_user_id, chat_id, reachable, name_in_export, profile_asked, created_at, updated_at"
)


def _clinician(user_id: int) -> str:
    return f"{user_id}, {user_id}, true, false, false, now(), now()"


async def _sql(url: str, sql: str) -> list[asyncpg.Record]:
    """Runs one statement on its own connection; the rows it returns, if any."""
    connection = await connect(url)
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


def _rows_per_table(url: str) -> dict[str, int]:
    async def count() -> dict[str, int]:
        tables = await _sql(
            url,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'",
        )
        union = " UNION ALL ".join(
            f"SELECT '{name}' AS t, count(*) AS n FROM \"{name}\"" for (name,) in tables
        )
        return {row["t"]: row["n"] for row in await _sql(url, union)}

    return asyncio.run(count())


def _columns(url: str) -> list[tuple[str, str, str]]:
    rows = asyncio.run(
        _sql(
            url,
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2",
        )
    )
    return [tuple(row) for row in rows]


def _database_names() -> set[str]:
    rows = asyncio.run(_sql(POSTGRES_URL, "SELECT datname FROM pg_database"))
    return {row["datname"] for row in rows}


def _own_pool() -> TestDatabases:
    return TestDatabases(prefix=f"reflect_test_{uuid.uuid4().hex[:6]}_")


@pytest.fixture
def databases(postgres_databases: TestDatabases) -> Iterator[TestDatabases]:
    """A pool of this test's own (the session's pool says whether the server is there), so
    that what it recycles goes to no other test."""
    pool = _own_pool()
    yield pool
    assert pool.finish() == []
    assert not [name for name in _database_names() if name.startswith(pool.prefix)]


def test_a_recycled_database_holds_nothing_and_counts_from_one(databases: TestDatabases) -> None:
    first = databases.create(migrated=True)
    fresh_columns = _columns(first)
    asyncio.run(
        _sql(
            first,
            f"INSERT INTO clinician ({CLINICIAN}) VALUES ({_clinician(42)}), ({_clinician(43)})",
        )
    )
    assert _rows_per_table(first)["clinician"] == 2
    databases.release(first, migrated=True)

    second = databases.create(migrated=True)

    assert second != first
    assert first.rpartition("/")[2] not in _database_names()  # renamed: unreachable by its URL
    assert set(_rows_per_table(second).values()) == {0}
    assert _columns(second) == fresh_columns
    asyncio.run(
        _sql(
            second,
            f"INSERT INTO clinician ({CLINICIAN}) VALUES ({_clinician(44)})",
        )
    )
    ids = asyncio.run(_sql(second, "SELECT id FROM clinician"))
    assert [row["id"] for row in ids] == [1]  # as in a new copy of the template
    databases.release(second, migrated=True)


def test_a_database_whose_schema_a_test_changed_is_dropped_not_reused(
    databases: TestDatabases,
) -> None:
    changed = databases.create(migrated=True)
    fresh_columns = _columns(changed)
    asyncio.run(_sql(changed, "ALTER TABLE clinician ADD COLUMN left_behind integer"))
    databases.release(changed, migrated=True)

    after = databases.create(migrated=True)

    assert _columns(after) == fresh_columns
    databases.release(after, migrated=True)


def test_a_connection_left_open_does_not_keep_a_database_from_being_recycled(
    databases: TestDatabases,
) -> None:
    async def hold_open_then_recycle() -> str:
        url = await asyncio.to_thread(databases.create, migrated=True)
        lingering = await connect(url)
        await lingering.execute(
            "BEGIN; INSERT INTO invite (code_hash, created_at) VALUES ('x', now())"
        )
        await asyncio.to_thread(databases.release, url, migrated=True)
        recycled = await asyncio.to_thread(databases.create, migrated=True)
        assert lingering.is_closed() or not await _alive(lingering)
        return recycled

    recycled = asyncio.run(hold_open_then_recycle())
    assert set(_rows_per_table(recycled).values()) == {0}
    databases.release(recycled, migrated=True)


async def _alive(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError):
        return False
    return True


def test_finishing_leaves_no_database_behind(postgres_databases: TestDatabases) -> None:
    pool = _own_pool()
    migrated = [pool.create(migrated=True), pool.create(migrated=True)]
    empty = pool.create()
    assert len([n for n in _database_names() if n.startswith(pool.prefix)]) == 4  # + template
    for url in migrated:
        pool.release(url, migrated=True)
    pool.release(empty, migrated=False)

    assert pool.finish() == []
    assert not [name for name in _database_names() if name.startswith(pool.prefix)]
