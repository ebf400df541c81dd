"""The bot's SQLite connections (db/sqlite_driver.py) answer as sqlite3 does.

Statements run on the event loop, and go to aiosqlite's thread only to wait for a lock; a
commit or rollback runs only when a transaction is open. What must hold: rows, row counts and
ids come back; a failed transaction leaves nothing behind and the connection goes on working;
what one session commits, another process reads; a write waits for another connection's lock
as before, without holding up the loop, whether that connection is another process's or
another clinician's in this one; an erasure's checkpoint still waits for a reader.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import create_engine, create_sessionmaker, mark_erased, transaction

TABLE = "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"
Sessions = async_sessionmaker[AsyncSession]


def _file(url: str) -> str:
    return url.removeprefix("sqlite+aiosqlite:///")


@asynccontextmanager
async def _notes(sqlite_url: str, **engine_args: Any) -> AsyncIterator[Sessions]:
    """Sessions on the bot's SQLite engine, with the note table made; disposed after."""
    engine = create_engine(sqlite_url, **engine_args)
    sessions = create_sessionmaker(engine)
    try:
        async with transaction(sessions) as session:
            await session.execute(text(TABLE))
        yield sessions
    finally:
        await engine.dispose()


class _Ticks:
    """How often the event loop got round to a 10 ms sleep: it stops counting while a
    statement holds the loop."""

    def __init__(self) -> None:
        self.count = 0

    @classmethod
    @asynccontextmanager
    async def counting(cls) -> AsyncIterator[_Ticks]:
        ticks = cls()
        task = asyncio.create_task(ticks._tick())
        try:
            yield ticks
        finally:
            task.cancel()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            self.count += 1


async def test_rows_counts_and_ids_come_back_as_sqlite3_gives_them(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(TABLE))
            inserted = await connection.execute(
                text("INSERT INTO note (body) VALUES (:body) RETURNING id, body"),
                {"body": "שלום <b>&amp;</b> 🌱"},
            )
            assert inserted.all() == [(1, "שלום <b>&amp;</b> 🌱")]
            many = await connection.execute(
                text("INSERT INTO note (body) VALUES (:body)"),
                [{"body": f"note {n}"} for n in range(3)],
            )
            assert many.rowcount == 3
            plain = await connection.exec_driver_sql("INSERT INTO note (body) VALUES ('last')")
            assert plain.lastrowid == 5
            changed = await connection.execute(
                text("UPDATE note SET body = body || '!' WHERE id > :id"), {"id": 2}
            )
            assert changed.rowcount == 3
            rows = await connection.execute(text("SELECT id, body FROM note ORDER BY id"))
            assert rows.keys() == ["id", "body"]
            assert [body for _, body in rows] == [
                "שלום <b>&amp;</b> 🌱",
                "note 0",
                "note 1!",
                "note 2!",
                "last!",
            ]
            nothing = await connection.execute(text("SELECT id FROM note WHERE id > 99"))
            assert nothing.first() is None
    finally:
        await engine.dispose()
    with sqlite3.connect(_file(sqlite_url)) as outside:  # committed, for anyone to read
        assert outside.execute("SELECT count(*) FROM note").fetchone() == (5,)


async def test_a_failed_transaction_leaves_nothing_and_the_connection_goes_on(
    sqlite_url: str,
) -> None:
    async with _notes(sqlite_url, pool_size=1, max_overflow=0) as sessions:  # one connection
        async with transaction(sessions) as session:
            await session.execute(text("INSERT INTO note (body) VALUES ('kept')"))
        with pytest.raises(IntegrityError):
            await _insert_both(sessions, "undone", "kept")  # the second is a duplicate
        async with transaction(sessions) as session:  # only reads: nothing to commit
            bodies = (await session.execute(text("SELECT body FROM note"))).scalars().all()
        assert bodies == ["kept"]
        async with transaction(sessions) as session:
            await session.execute(text("INSERT INTO note (body) VALUES ('after')"))
    with sqlite3.connect(_file(sqlite_url)) as outside:
        rows = outside.execute("SELECT body FROM note ORDER BY id").fetchall()
    assert rows == [("kept",), ("after",)]


async def _insert_both(sessions: Sessions, *bodies: str) -> None:
    async with transaction(sessions) as session:
        for body in bodies:
            await session.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})


async def _waits_until(release: Callable[[], object], work: Coroutine[Any, Any, None]) -> None:
    """`work` is still waiting 0.3 s in (the loop free meanwhile: this sleep ends), and done
    within 5 s once `release` has run."""
    task = asyncio.create_task(work)
    await asyncio.sleep(0.3)
    assert not task.done()
    release()
    await asyncio.wait_for(task, timeout=5)


async def test_a_write_waits_for_another_connections_lock_then_goes_through(
    sqlite_url: str,
) -> None:
    async with _notes(sqlite_url) as sessions:
        holder = sqlite3.connect(_file(sqlite_url), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's write lock
        await _waits_until(lambda: holder.execute("COMMIT"), _insert_both(sessions, "waited"))
        holder.close()
    with sqlite3.connect(_file(sqlite_url)) as outside:
        assert outside.execute("SELECT body FROM note").fetchall() == [("waited",)]


async def test_two_writers_in_one_process_take_turns_and_the_loop_stays_free(
    sqlite_url: str,
) -> None:
    """One clinician's transaction holds the write lock while it awaits something else; a
    second clinician's write waits for it, off the loop, twice in a row on one connection."""

    async def slow_writer(sessions: Sessions, body: str, release: asyncio.Event) -> None:
        async with transaction(sessions) as session:
            await session.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})
            await release.wait()  # the write lock is held across this

    notes = _notes(sqlite_url, pool_size=2, max_overflow=0)
    async with notes as sessions, _Ticks.counting() as ticks:
        for turn in range(2):
            release = asyncio.Event()
            holding = asyncio.create_task(slow_writer(sessions, f"first {turn}", release))
            await asyncio.sleep(0.05)
            waiting = asyncio.create_task(_insert_both(sessions, f"second {turn}"))
            before = ticks.count
            await asyncio.sleep(0.3)
            assert not waiting.done()  # waiting for the lock
            assert ticks.count - before >= 10  # while the loop went on
            release.set()
            await asyncio.wait_for(asyncio.gather(holding, waiting), timeout=5)
    with sqlite3.connect(_file(sqlite_url)) as outside:
        rows = outside.execute("SELECT body FROM note ORDER BY id").fetchall()
    assert rows == [("first 0",), ("second 0",), ("first 1",), ("second 1",)]


async def test_a_long_query_moves_off_the_loop_and_gives_its_rows(sqlite_url: str) -> None:
    """A query still running after a few milliseconds (a week's digests for thousands of
    clinicians can take seconds) finishes on aiosqlite's thread while the loop goes on."""
    async with _notes(sqlite_url) as sessions, _Ticks.counting() as ticks:
        async with transaction(sessions) as session:
            await session.execute(text("CREATE TABLE n (x INTEGER)"))
            await session.execute(
                text("INSERT INTO n (x) VALUES (:x)"), [{"x": x} for x in range(400)]
            )
        async with transaction(sessions) as session:
            await session.execute(text("INSERT INTO n (x) VALUES (400)"))  # a change, then
            await asyncio.sleep(0.02)
            before, started = ticks.count, time.perf_counter()
            count = await session.execute(text("SELECT count(*) FROM n a, n b, n c"))
            took = time.perf_counter() - started
            assert count.scalar() == 401**3
            # the same transaction goes on: it sees its own change and commits it
            assert (await session.execute(text("SELECT max(x) FROM n"))).scalar() == 400
        assert took > 0.2  # long enough to tell
        assert ticks.count - before >= took / 0.01 / 2  # the loop ticked through most of it
    with sqlite3.connect(_file(sqlite_url)) as outside:
        assert outside.execute("SELECT count(*) FROM n").fetchone() == (401,)


async def test_an_erasures_checkpoint_waits_for_a_reader_then_empties_the_log(
    sqlite_url: str,
) -> None:
    async with _notes(sqlite_url) as sessions:
        async with transaction(sessions) as session:
            await session.execute(text("INSERT INTO note (body) VALUES ('private words')"))
        reader = sqlite3.connect(_file(sqlite_url), isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM note").fetchone()  # a snapshot in the log

        async def erase() -> None:
            async with transaction(sessions) as session:
                await session.execute(text("DELETE FROM note"))
                mark_erased(session)

        await _waits_until(lambda: reader.execute("COMMIT"), erase())  # the checkpoint waits
        reader.close()
        wal = await asyncio.to_thread(Path(_file(sqlite_url) + "-wal").stat)
        assert wal.st_size == 0


async def test_a_statement_sqlite_refuses_says_why(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            with pytest.raises(OperationalError, match="no such table: missing"):
                await connection.execute(text("SELECT * FROM missing"))
            assert (await connection.execute(text("SELECT 1 + 1"))).scalar() == 2
    finally:
        await engine.dispose()
