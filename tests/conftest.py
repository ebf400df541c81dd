"""Fixtures shared by every test: keys, real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

import gc
import os
import sqlite3
from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import create_engine, create_sessionmaker
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.db.types import set_keys
from tests.postgres import POSTGRES_URL, TestDatabases, postgres_available

REQUIRE_POSTGRES = os.environ.get("REFLECT_REQUIRE_POSTGRES") == "1"
SQLITE = "sqlite+aiosqlite:///"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (the default) means two workers more than there are cores, except for a single
    test file, which runs in this process: starting workers would cost more than they save.

    Many tests spend part of their time waiting for a process they started, for PostgreSQL
    or for the emulator; spare workers use those gaps. On the 2-core machine, interleaved full
    runs: three workers 161-178 s against two 196-210 s (a slow machine); four workers 77-79 s
    against three 80-84 s (a fast one, three pairs), for ≈ 6 core-seconds more per run.
    """
    if len(config.args) == 1 and Path(config.args[0].partition("::")[0]).is_file():
        return 0
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may run on
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return cores + 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the slow tests go first: the week of kill -9 alone takes most of a
    minute, and started first it runs beside the rest instead of after it.

    Every worker sorts the same collection the same way, so they still agree on the ids.
    """
    if hasattr(config, "workerinput"):  # set on xdist workers only
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    """The cyclic collector, tuned for a worker that loads everything and then runs tests.

    - Off while the tests are collected: importing every test module and what it imports
      would be walked again and again by full passes over a growing heap (≈ 1 s of a
      worker's 2.4 s collection here, and every worker collects).
    - Then what collection loaded (modules, classes, test functions) is frozen, as it lives
      as long as the worker: no later pass walks it.
    - A young generation of 7,000 objects instead of 700: fewer passes while the tests run.

    The collector took ≈ 7.4 core-seconds of a full run in the workers; ≈ 3.5 with this."""
    gc.disable()
    try:
        return (yield)
    finally:
        gc.freeze()
        gc.set_threshold(7_000)
        gc.enable()


@pytest.fixture(autouse=True, scope="session")
def processes_run_as_deployed() -> Iterator[None]:
    """Every process a test starts (the bot, its CLI, the transcriber) runs as the Docker image
    runs it, with PYTHONOPTIMIZE=2: without docstrings, and with `assert` statements skipped.
    The tests' own processes keep both, so the bot's code runs in each mode."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONOPTIMIZE", "2")
        yield


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


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[TestDatabases]:
    """The PostgreSQL server, probed once per session (per xdist worker), not per test."""
    problem = postgres_available()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here (REFLECT_REQUIRE_POSTGRES=1): {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}")
    databases = TestDatabases()
    yield databases
    failed = databases.finish()
    assert not failed, f"test databases left behind: {failed}"


@pytest.fixture
def postgres_url(postgres_databases: TestDatabases) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    url = postgres_databases.create()
    yield url
    postgres_databases.release(url, migrated=False)


@pytest.fixture
def migrated_postgres_url(postgres_databases: TestDatabases) -> Iterator[str]:
    """A PostgreSQL database at the newest schema that holds nothing, for this test alone."""
    url = postgres_databases.create(migrated=True)
    yield url
    postgres_databases.release(url, migrated=True)


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
