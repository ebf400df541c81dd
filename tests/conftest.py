"""Fixtures shared by every test: keys, real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import create_engine, create_sessionmaker
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.db.types import set_keys

POSTGRES_URL = os.environ.get(
    "REFLECT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("REFLECT_REQUIRE_POSTGRES") == "1"


@pytest.fixture(autouse=True)
def encryption_key() -> Iterator[str]:
    """Every test encrypts under a fresh key, as the bot does at start."""
    key = Fernet.generate_key().decode("ascii")
    set_keys([key])
    yield key
    set_keys([])


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'reflect.sqlite3'}"


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"), timeout=5
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _postgres_available() -> str | None:
    try:
        asyncio.run(_admin("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no server here"
        return f"{type(exc).__name__}: {exc}"
    return None


class ThrowawayDatabases:
    """Creates a PostgreSQL database per test and drops it on a background thread.

    Dropping a database makes the server checkpoint, which takes most of a second; the
    next test need not wait for that. Every drop has finished, and any failure is
    reported, before the session ends.
    """

    def __init__(self) -> None:
        self._dropping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
        self._drops: list[Future[None]] = []

    def create(self) -> str:
        name = f"reflect_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        base, _, _ = POSTGRES_URL.rpartition("/")
        return f"{base}/{name}"

    def drop_later(self, url: str) -> None:
        name = url.rpartition("/")[2]
        sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        self._drops.append(self._dropping.submit(asyncio.run, _admin(sql)))

    def finish(self) -> list[str]:
        """Waits for every drop; returns the ones that failed."""
        self._dropping.shutdown(wait=True)
        return [f"{type(e).__name__}: {e}" for d in self._drops if (e := d.exception())]


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[ThrowawayDatabases]:
    """The PostgreSQL server, probed once per session (per xdist worker), not per test."""
    problem = _postgres_available()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here (REFLECT_REQUIRE_POSTGRES=1): {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}")
    databases = ThrowawayDatabases()
    yield databases
    failed = databases.finish()
    assert not failed, f"test databases left behind: {failed}"


@pytest.fixture
def postgres_url(postgres_databases: ThrowawayDatabases) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    url = postgres_databases.create()
    yield url
    postgres_databases.drop_later(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def migrated_url(database_url: str) -> str:
    upgrade_head(database_url)
    return database_url


@pytest.fixture
async def sessions(migrated_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated_url)
    yield create_sessionmaker(engine)
    await engine.dispose()
