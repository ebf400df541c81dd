"""The tests' PostgreSQL server: where it is, and a database of its own for each test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from graphlib import TopologicalSorter

import asyncpg

from reflect_bot.db.migrations import upgrade_head

POSTGRES_URL = os.environ.get(
    "REFLECT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _url_of(name: str) -> str:
    return f"{POSTGRES_URL.rpartition('/')[0]}/{name}"


def _name_of(url: str) -> str:
    return url.rpartition("/")[2]


# Everything a test could change about a database's definition, as one text: relations,
# columns, constraints, indexes, functions, types, schemas, settings and the Alembic revision.
_SCHEMA = """
SELECT string_agg(part, E'\n' ORDER BY part) FROM (
    SELECT 'relation ' || relname || ' ' || relkind::text FROM pg_class
        WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'column ' || c.relname || '.' || a.attname || ' '
            || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' '
            || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
            || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'function ' || oid::regprocedure::text FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
    UNION ALL SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
        WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL SELECT 'revision ' || version_num FROM alembic_version
) AS parts(part)
"""
_TABLES = """
SELECT relname FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
    AND relname <> 'alembic_version'
"""
_FOREIGN_KEYS = """
SELECT child.relname, parent.relname FROM pg_constraint
JOIN pg_class child ON child.oid = conrelid JOIN pg_class parent ON parent.oid = confrelid
WHERE contype = 'f' AND connamespace = 'public'::regnamespace
"""
_RESET_SEQUENCES = """
SELECT setval(oid, 1, false) FROM pg_class
WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace
"""


async def connect(url: str) -> asyncpg.Connection:
    """asyncpg's own connection to a database named by the bot's (SQLAlchemy) URL."""
    return await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=5)


async def _admin(sql: str) -> None:
    connection = await connect(POSTGRES_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def postgres_available() -> str | None:
    """None when the server answers, else why not."""
    try:
        asyncio.run(_admin("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no server here"
        return f"{type(exc).__name__}: {exc}"
    return None


@dataclass(frozen=True)
class _Template:
    """The migrated template: its schema as text, and how to empty a copy of it."""

    name: str
    schema: str
    emptying: str  # every table's DELETE, children before parents, then the sequences


async def _read_template(name: str) -> _Template:
    connection = await connect(_url_of(name))
    try:
        schema = await connection.fetchval(_SCHEMA)
        order: TopologicalSorter[str] = TopologicalSorter()
        for (table,) in await connection.fetch(_TABLES):
            order.add(table)
        for child, parent in await connection.fetch(_FOREIGN_KEYS):
            if child != parent:
                order.add(parent, child)  # the parent comes after: its rows go last
    finally:
        await connection.close()
    deletes = [f'DELETE FROM "{table}";' for table in order.static_order()]
    return _Template(name, schema, "\n".join([*deletes, _RESET_SEQUENCES]))


class TestDatabases:
    """A PostgreSQL database for each test, at the newest schema or empty, as it asks.

    Migrated databases are copies of a template migrated once, which is quicker than running
    Alembic for each; copied file by file (STRATEGY FILE_COPY), which costs the server less
    CPU here than the default, which writes the copy through the write-ahead log.

    Creating a database and dropping it each make the server checkpoint and copy or delete
    its files: ≈ 0.17 s of the server's CPU per test, more than most tests' own work. So when
    a test is done with a migrated database it is recycled for a later test, on a background
    thread (≈ 4 ms of the server's CPU):

    - its connections are ended and it is renamed, so nothing the test left running can
      reach it under the old name;
    - its schema is compared with the template's (relations, columns, constraints, indexes,
      functions, types, settings, revision); one that differs in anything is dropped;
    - every row is deleted and every sequence set back to 1, so the next test finds what a
      new copy would hold.

    Empty databases are created for their test and dropped afterwards. Every drop has
    finished, and any failure is reported, before the session ends.
    """

    __test__ = False  # not a test class, whatever its name

    def __init__(self, *, prefix: str = "reflect_test_") -> None:
        self.prefix = prefix  # every database this pool makes is named with it
        self._dropping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
        self._recycling = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recycle-database")
        self._drops: list[Future[None]] = []
        self._recycled: deque[Future[str | None]] = deque()  # a URL, or None once dropped
        self._template: _Template | None = None
        self._failures: list[str] = []

    def create(self, *, migrated: bool = False) -> str:
        while migrated and self._recycled:
            recycled = self._recycled.popleft()
            if (error := recycled.exception()) is not None:  # reported at the end; go on
                self._failures.append(f"recycling: {type(error).__name__}: {error}")
            elif (url := recycled.result()) is not None:
                return url
        copying = ""
        if migrated:
            self._template = self._template or self._migrated_template()
            copying = f'TEMPLATE "{self._template.name}"'
        name = self._new_name()
        asyncio.run(_admin(f'CREATE DATABASE "{name}" {copying} STRATEGY FILE_COPY'))
        return _url_of(name)

    def _new_name(self) -> str:
        return f"{self.prefix}{uuid.uuid4().hex[:12]}"

    def _migrated_template(self) -> _Template:
        name = f"{self._new_name()}_template"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        try:
            upgrade_head(_url_of(name))
            return asyncio.run(_read_template(name))
        except BaseException:  # never clone a half-migrated template: this test fails
            self.drop_later(_url_of(name))
            raise

    def release(self, url: str, *, migrated: bool) -> None:
        if migrated:
            self._recycled.append(self._recycling.submit(asyncio.run, self._recycle(url)))
        else:
            self.drop_later(url)

    async def _recycle(self, url: str) -> str | None:
        assert self._template is not None
        old, new = _name_of(url), self._new_name()
        admin = await connect(POSTGRES_URL)
        try:
            for _attempt in range(5):  # a process of the test may still be reconnecting
                await admin.execute(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                    "WHERE datname = $1",
                    old,
                )
                try:
                    await admin.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
                    break
                except asyncpg.ObjectInUseError:
                    continue
            else:
                self.drop_later(url)
                return None
        finally:
            await admin.close()
        connection = await connect(_url_of(new))
        try:
            if await connection.fetchval(_SCHEMA) != self._template.schema:
                self.drop_later(_url_of(new))
                return None
            async with connection.transaction():
                await connection.execute(self._template.emptying)
        finally:
            await connection.close()
        return _url_of(new)

    def drop_later(self, url: str) -> None:
        sql = f'DROP DATABASE IF EXISTS "{_name_of(url)}" WITH (FORCE)'
        self._drops.append(self._dropping.submit(asyncio.run, _admin(sql)))

    def finish(self) -> list[str]:
        """Drops the recycled databases and the template, waits for every drop; returns the
        ones that failed."""
        failed = self._failures
        self._recycling.shutdown(wait=True)
        for recycled in self._recycled:
            if (error := recycled.exception()) is not None:
                failed.append(f"{type(error).__name__}: {error}")
            elif (url := recycled.result()) is not None:
                self.drop_later(url)
        if self._template is not None:
            self.drop_later(_url_of(self._template.name))
        self._dropping.shutdown(wait=True)
        return failed + [f"{type(e).__name__}: {e}" for d in self._drops if (e := d.exception())]
