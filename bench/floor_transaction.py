"""The floor under P1: what one small transaction costs through SQLAlchemy's async engines.

P1 asks the answer path to stay within 1.3 × a bare echo bot. Every answer needs at least
one committed transaction, so this measures the cheapest one the stack can run — three short
statements (insert-or-ignore, select, update) and a commit — with the bot's own engine
settings, against the same work done three other ways: SQLAlchemy's synchronous Session on
SQLite with the whole transaction in one worker-thread hop (the cheapest way SQLAlchemy
itself allows; on PostgreSQL only when psycopg is installed, as it is not a dependency), the
standard library's sqlite3 in one hop, and asyncpg without SQLAlchemy (what the databases
themselves cost):

    python -m bench floor [--transactions 2000] [--no-postgres]

Results: bench/results/FLOOR.md.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench._machine import machine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

RESULTS = ROOT / "bench" / "results" / "FLOOR.md"
POSTGRES_URL = os.environ.get(
    "REFLECT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TABLE = "bench_floor"
INSERT = f"INSERT INTO {TABLE} (id, v) VALUES (:i, 'x') ON CONFLICT DO NOTHING"
SELECT = f"SELECT id, v FROM {TABLE} WHERE id = :i"
UPDATE = f"UPDATE {TABLE} SET v = 'y' WHERE id = :i"


async def _timed(count: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Median milliseconds per transaction, after a warm-up."""
    for i in range(200):
        await one(-1 - i)
    samples = []
    for i in range(count):
        started = time.perf_counter()
        await one(i)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


async def through_sqlalchemy(url: str, count: int) -> float:
    from sqlalchemy import text

    from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        await connection.execute(text(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, v TEXT)"))
    sessions = create_sessionmaker(engine)
    insert, select, update = text(INSERT), text(SELECT), text(UPDATE)

    async def one(i: int) -> None:
        async with transaction(sessions) as session:
            await session.execute(insert, {"i": i})
            (await session.execute(select, {"i": i})).all()
            await session.execute(update, {"i": i})

    try:
        return await _timed(count, one)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE {TABLE}"))
        await engine.dispose()


async def sync_sqlalchemy(url: str, count: int) -> float:
    from sqlalchemy import create_engine, event, text
    from sqlalchemy.orm import Session

    from reflect_bot.db.engine import _sqlite_pragmas

    engine = create_engine(url, hide_parameters=True, pool_pre_ping=url.startswith("postgresql"))
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)  # the bot's own SQLite settings
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        connection.execute(text(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, v TEXT)"))
    insert, select, update = text(INSERT), text(SELECT), text(UPDATE)

    def work(i: int) -> None:
        with Session(engine) as session, session.begin():
            session.execute(insert, {"i": i})
            session.execute(select, {"i": i}).all()
            session.execute(update, {"i": i})

    async def one(i: int) -> None:
        await asyncio.to_thread(work, i)

    try:
        return await _timed(count, one)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {TABLE}"))
        engine.dispose()


async def plain_asyncpg(url: str, count: int) -> float:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    await connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
    await connection.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, v TEXT)")
    dollar = [s.replace(":i", "$1") for s in (INSERT, SELECT, UPDATE)]

    async def one(i: int) -> None:
        async with connection.transaction():
            await connection.execute(dollar[0], i)
            await connection.fetch(dollar[1], i)
            await connection.execute(dollar[2], i)

    try:
        return await _timed(count, one)
    finally:
        await connection.execute(f"DROP TABLE {TABLE}")
        await connection.close()


async def plain_sqlite(path: Path, count: int) -> float:
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")  # as the bot's engine sets it
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, v TEXT)")
    qmark = [s.replace(":i", "?") for s in (INSERT, SELECT, UPDATE)]

    def work(i: int) -> None:
        connection.execute("BEGIN")
        connection.execute(qmark[0], (i,))
        connection.execute(qmark[1], (i,)).fetchall()
        connection.execute(qmark[2], (i,))
        connection.execute("COMMIT")

    async def one(i: int) -> None:
        await asyncio.to_thread(work, i)

    try:
        return await _timed(count, one)
    finally:
        connection.close()


def _postgres_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


async def run(count: int, with_postgres: bool) -> str:
    info = machine()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite+aiosqlite:///{Path(folder) / 'floor.sqlite3'}"
        rows.append(
            ("SQLAlchemy AsyncSession, aiosqlite", await through_sqlalchemy(sqlite_url, count))
        )
        if with_postgres:
            rows.append(
                ("SQLAlchemy AsyncSession, asyncpg", await through_sqlalchemy(POSTGRES_URL, count))
            )
        rows.append(
            (
                "SQLAlchemy Session (synchronous), pysqlite, one thread hop",
                await sync_sqlalchemy(f"sqlite:///{Path(folder) / 'sync.sqlite3'}", count),
            )
        )
        if with_postgres and importlib.util.find_spec("psycopg"):
            # psycopg is not a dependency: install it to measure this row.
            rows.append(
                (
                    "SQLAlchemy Session (synchronous), psycopg, one thread hop",
                    await sync_sqlalchemy(POSTGRES_URL.replace("+asyncpg", "+psycopg"), count),
                )
            )
        if with_postgres:
            rows.append(("asyncpg without SQLAlchemy", await plain_asyncpg(POSTGRES_URL, count)))
        rows.append(
            (
                "sqlite3 (standard library), one thread hop",
                await plain_sqlite(Path(folder) / "plain.sqlite3", count),
            )
        )
    lines = [
        "# The floor under P1: one small transaction",
        "",
        "Three statements (insert-or-ignore, select, update) and a commit, "
        f"{count} transactions one after another, median. Run: `python -m bench floor`.",
        "",
        "| how | ms per transaction |",
        "|---|---:|",
        *(f"| {name} | {ms:.2f} |" for name, ms in rows),
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in info.items()),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench floor", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--transactions", type=int, default=2000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = asyncio.run(run(args.transactions, not args.no_postgres and _postgres_reachable()))
    args.output.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
