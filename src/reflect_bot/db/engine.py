"""Async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 5000

log = logging.getLogger(__name__)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Creates the engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    # Errors must never carry statement parameters into logs: they may be clinical text.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        # Here, so that a bot on PostgreSQL never loads SQLite's driver.
        from reflect_bot.db import sqlite_driver

        _ensure_sqlite_folder(url)
        engine = create_async_engine(
            url,
            module=sqlite_driver.dbapi(),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Updates from different chats run side by side (bot/updates.py: 16 at once), beside the
    # sender's and the question messages' writes: a pool that holds them all, so a burst
    # does not open and close overflow connections on every answer (141 sessions in one P6
    # run with 10 kept, 21 with 24; issue #21). At most 40 per instance, as before.
    kwargs.setdefault("pool_size", 24)
    kwargs.setdefault("max_overflow", 16)
    engine = create_async_engine(url, **kwargs)
    _LiveConnections(engine).watch()
    return engine


# A pooled PostgreSQL connection idle for longer is pinged before it is used again.
PING_AFTER_IDLE_SECONDS = 30.0
_IDLE_SINCE = "reflect_bot.idle_since"  # a pooled connection's record.info key


@dataclass(frozen=True)
class _LiveConnections:
    """A PostgreSQL restart, a failover or a firewall that forgot an idle connection must not
    break the bot: a pooled connection that is no longer there is replaced at checkout (the
    pool makes a new one when a checkout listener raises DisconnectionError).

    One the server has closed, asyncpg knows about once the event loop has read the server's
    goodbye: asking it costs nothing. One a firewall or NAT dropped without a word, only the
    server can tell, so a connection idle for PING_AFTER_IDLE_SECONDS is pinged first. While
    clinicians are answering, connections come back within milliseconds and are never pinged:
    pool_pre_ping pinged on every checkout, and SQLAlchemy's ping for asyncpg is three round
    trips (BEGIN, a ping, ROLLBACK), ≈ 7 % of the bot's CPU per answer (bench P1).
    """

    engine: AsyncEngine

    def watch(self) -> None:
        event.listen(self.engine.sync_engine, "checkin", self._idle_from_now)
        event.listen(self.engine.sync_engine, "checkout", self._alive_or_replaced)

    @staticmethod
    def _idle_from_now(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def _alive_or_replaced(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("PostgreSQL closed this connection")
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            self.engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("an idle PostgreSQL connection did not answer") from exc


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: async code must never lazy-load after a commit.
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work is committed on success and rolled back on any error.

    The first transaction an update's handler opens continues the one its admission began
    (`held_transaction`), so an answer costs one transaction, not two.

    A transaction that erased clinical text (`mark_erased`) also wipes SQLite's write-ahead
    log once committed, so the erased ciphertext is not left in the -wal file.
    """
    held = _take_held(sessions)
    if held is not None:
        async with _finishing(held.session) as session:
            yield session
        return
    async with sessions() as session:
        async with session.begin():
            yield session
        if session.info.pop(_ERASED, False):
            await _wipe_write_ahead_log(session)


@dataclass
class _Held:
    sessions: async_sessionmaker[AsyncSession]
    session: AsyncSession
    task: asyncio.Task[object] | None  # only the task that began it may continue it


# The transaction an update's admission began and its handler has not yet taken: one per
# asyncio task (an update is handled in one task), never seen by tasks it starts.
_HELD: ContextVar[_Held | None] = ContextVar("reflect_bot.held_transaction", default=None)


@asynccontextmanager
async def held_transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Begins a transaction that stays open after the block, for this task's next
    `transaction(sessions)` to continue and commit; `finish_held` commits it if nothing did.

    An error inside the block rolls it back and closes it, as `transaction` does.

    What it wrote stays uncommitted until then: on SQLite that is the database's write lock,
    on PostgreSQL the rows' locks (and any advisory lock), so a handler should reach its
    first flow before anything slow (a handler that only replies holds them for its reply),
    or call `finish_held_before_waiting` first.
    """
    if _HELD.get() is not None:  # pragma: no cover - one admission per update
        raise RuntimeError("a held transaction is already open in this task")
    session = sessions()
    try:
        await session.begin()
        yield session
    except BaseException:
        await _close(session, commit=False)
        raise
    _HELD.set(_Held(sessions, session, asyncio.current_task()))


async def finish_held(*, commit: bool = True) -> None:
    """Ends this task's held transaction if no handler took it: committed (the update was
    handled) or, with commit=False, rolled back."""
    held = _HELD.get()
    if held is None:
        return
    _HELD.set(None)
    await _close(held.session, commit=commit)


async def finish_held_before_waiting() -> None:
    """For a handler about to wait on something slow that stores nothing (Telegram handing
    over a voice note): on SQLite, this task's held transaction is committed now.

    A SQLite transaction that has written holds the whole database's write lock, so every
    other clinician's update would wait for the download. On PostgreSQL it stays open: it
    locks only this person, whose next update (perhaps at another instance) should wait its
    turn anyway. On SQLite the update then counts as handled before the handler has stored
    anything: a process killed during the download loses that one update, which the
    clinician sees unacknowledged (with polling, python-telegram-bot has confirmed it to
    Telegram by then in any case).
    """
    held = _HELD.get()
    if held is None or held.task is not asyncio.current_task():
        return
    bind = held.session.bind
    if bind is not None and bind.dialect.name == "sqlite":
        await finish_held()


def _take_held(sessions: async_sessionmaker[AsyncSession]) -> _Held | None:
    held = _HELD.get()
    if held is None or held.sessions is not sessions or held.task is not asyncio.current_task():
        return None
    _HELD.set(None)
    return held


@asynccontextmanager
async def _finishing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Continues a held transaction: committed on success, rolled back on error, closed."""
    try:
        yield session
    except BaseException:
        await _close(session, commit=False)
        raise
    await _close(session, commit=True)


async def _close(session: AsyncSession, *, commit: bool) -> None:
    try:
        if commit:
            await session.commit()
            if session.info.pop(_ERASED, False):
                await _wipe_write_ahead_log(session)
        else:
            await session.rollback()
    finally:
        await session.close()


def mark_erased(session: AsyncSession) -> None:
    """Says that this transaction deletes or overwrites clinical text (see `transaction`)."""
    session.info[_ERASED] = True


_ERASED = "reflect_bot.erased"


async def _wipe_write_ahead_log(session: AsyncSession) -> None:
    # Every page image the log held, the erased ones included, goes into the database
    # file (where secure_delete has zeroed the erased cells) and the log is cut to 0 bytes.
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL: see SECURITY.md (dead tuples until VACUUM, WAL archives)
    busy, _, _ = (await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
    await session.commit()
    if busy:
        # Another connection was reading; the next erasure (or SQLite itself) finishes it.
        log.warning("the SQLite write-ahead log could not be emptied after an erasure")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten content is zeroed in the file, not left in free space.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _ensure_sqlite_folder(url: str) -> None:
    """Creates the folder (0700) and the database file (0600) owner-only, whatever the umask.

    SQLite gives the -wal and -shm files it creates the database file's permissions.
    Existing files and folders are left as the operator set them.
    """
    _, _, path = url.partition(":///")
    if path and path != ":memory:" and not path.startswith("file:"):
        database = Path(path)
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with suppress(FileExistsError):
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
