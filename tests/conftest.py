"""Fixtures shared by every test: keys, real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
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
SQLITE = "sqlite+aiosqlite:///"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (the default) means one worker more than there are cores, except for a single
    test file, which runs in this process: starting workers would cost more than they save.

    Many tests spend part of their time waiting for a process they started, for PostgreSQL
    or for the emulator; a spare worker uses those gaps. On the 2-core machine, three pairs of
    back-to-back runs: 161-178 s with three workers against 196-210 s with two.
    """
    if len(config.args) == 1 and Path(config.args[0].partition("::")[0]).is_file():
        return 0
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may run on
        return len(os.sched_getaffinity(0)) + 1
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the slow tests go first: the week of kill -9 alone takes most of a
    minute, and started first it runs beside the rest instead of after it.

    Every worker sorts the same collection the same way, so they still agree on the ids.
    """
    if hasattr(config, "workerinput"):  # set on xdist workers only
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def encryption_key() -> Iterator[str]:
    """Every test encrypts under a fresh key, as the bot does at start."""
    key = Fernet.generate_key().decode("ascii")
    set_keys([key])
    yield key
    set_keys([])


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Where this test's SQLite file goes; nothing is there yet."""
    return f"{SQLITE}{tmp_path / 'reflect.sqlite3'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once per session (per xdist worker)."""
    path = tmp_path_factory.mktemp("template") / "reflect.sqlite3"
    upgrade_head(f"{SQLITE}{path}")
    return path


@pytest.fixture
def migrated_sqlite_url(sqlite_url: str, sqlite_template: Path) -> str:
    """This test's SQLite file at the newest schema: a page-for-page copy of the template."""
    with (
        closing(sqlite3.connect(sqlite_template)) as source,
        closing(sqlite3.connect(sqlite_url.removeprefix(SQLITE))) as copy,
    ):
        source.backup(copy)
    return sqlite_url


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


def _url_of(name: str) -> str:
    return f"{POSTGRES_URL.rpartition('/')[0]}/{name}"


class ThrowawayDatabases:
    """Creates a PostgreSQL database per test and drops it on a background thread.

    Dropping a database makes the server checkpoint, which takes most of a second; the
    next test need not wait for that. Every drop has finished, and any failure is
    reported, before the session ends. Migrated databases are copies of a template
    migrated once, which is quicker than running Alembic for each.

    Creating one takes a few tenths of a second too, so while a test runs, the next
    database of the same kind is created beside it: each test still gets a database made
    for it alone, which nothing has touched before. Copies are made file by file
    (STRATEGY FILE_COPY, PostgreSQL 15 and newer): the default writes the whole template
    through the write-ahead log, 0.16 s of the server's CPU per copy against 0.07 s.
    """

    def __init__(self) -> None:
        self._dropping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
        self._creating = ThreadPoolExecutor(max_workers=1, thread_name_prefix="create-database")
        self._drops: list[Future[None]] = []
        self._next: dict[bool, Future[str]] = {}  # migrated or not → the next one's URL
        self._template: str | None = None

    def create(self, *, migrated: bool = False) -> str:
        ready = self._next.pop(migrated, None)
        url = ready.result() if ready is not None else self._new(migrated=migrated)
        self._next[migrated] = self._creating.submit(self._new, migrated=migrated)
        return url

    def _new(self, *, migrated: bool) -> str:
        name = f"reflect_test_{uuid.uuid4().hex[:12]}"
        if migrated and self._template is None:
            template = f"{name}_template"
            asyncio.run(_admin(f'CREATE DATABASE "{template}"'))
            try:
                upgrade_head(_url_of(template))
            except BaseException:  # never clone a half-migrated template: this test fails
                self.drop_later(_url_of(template))
                raise
            self._template = template
        template = f'TEMPLATE "{self._template}"' if migrated else ""
        asyncio.run(_admin(f'CREATE DATABASE "{name}" {template} STRATEGY FILE_COPY'))
        return _url_of(name)

    def drop_later(self, url: str) -> None:
        name = url.rpartition("/")[2]
        sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        self._drops.append(self._dropping.submit(asyncio.run, _admin(sql)))

    def finish(self) -> list[str]:
        """Drops the spares and the template, waits for every drop; returns the ones that
        failed."""
        failed: list[str] = []
        for spare in self._next.values():
            if spare.cancel():
                continue
            if (error := spare.exception()) is not None:
                failed.append(f"{type(error).__name__}: {error}")
            else:
                self.drop_later(spare.result())
        self._creating.shutdown(wait=True)
        if self._template is not None:
            self.drop_later(_url_of(self._template))
        self._dropping.shutdown(wait=True)
        return failed + [f"{type(e).__name__}: {e}" for d in self._drops if (e := d.exception())]


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


@pytest.fixture
def migrated_postgres_url(postgres_databases: ThrowawayDatabases) -> Iterator[str]:
    """A new PostgreSQL database at the newest schema for this test, dropped afterwards."""
    url = postgres_databases.create(migrated=True)
    yield url
    postgres_databases.drop_later(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on SQLite and on PostgreSQL, on an empty database."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=BACKENDS)
def migrated_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on SQLite and on PostgreSQL, at the newest schema."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("migrated_sqlite_url"))
    return str(request.getfixturevalue("migrated_postgres_url"))


@pytest.fixture
async def sessions(migrated_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated_url)
    yield create_sessionmaker(engine)
    await engine.dispose()
