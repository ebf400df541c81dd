"""SQLite through aiosqlite, with statements run on the event loop and only waits on its thread.

aiosqlite runs each connection's sqlite3 calls on a thread of its own, so that nothing blocks
the asyncio loop; every call into it is a hand-off there and back (a queue, a thread wake-up,
a write to the loop's self-pipe). A statement of the bot's, though, runs in a few µs in
sqlite3 (bench P1: ≈ 6 hand-offs an answer cost ≈ 1.4 ms of CPU, a quarter of the bot's),
and the rows it returns are turned into objects on the loop anyway. What may block is
waiting: for another connection's write lock (the busy timeout, seconds), for the disk, and
for a long query (a week's digests for thousands of clinicians: seconds).

So a query or a single change (SELECT, INSERT, UPDATE, DELETE), a commit and a rollback run
here, on the loop, with SQLite told not to wait (busy timeout 0). Such a statement goes to
aiosqlite's thread instead, where it waits up to the busy timeout the engine asked for while
the loop serves everyone else, when SQLite answers that another connection holds the lock it
needs (SQLITE_BUSY) before the statement changed anything (SQLite's own advice is that a
statement refused as busy may be run again), and when a query has run on the loop for
QUERY_BUDGET_SECONDS: SQLite interrupts it (a progress handler), which undoes nothing but
the query, and it starts again on the thread. A change is not interrupted (SQLite would roll
back the whole transaction); the bot's changes touch a few rows each (erasing a five-year
journal: ≈ 8 ms). Everything else (PRAGMA, DDL, VACUUM, WITH, many rows at once) always goes
to the thread, with the busy timeout: `PRAGMA wal_checkpoint` waits for readers and syncs the
disk. With WAL and synchronous=NORMAL (db/engine.py) a commit writes to the log without
syncing; the automatic checkpoint that follows every ≈ 1,000 written pages syncs, 1–4 ms on
this project's machines (bench/RESULTS.md).

It is SQLAlchemy's own aiosqlite adapter otherwise, given to the engine as its DBAPI module
(`create_async_engine(module=...)`). The thread is reached through aiosqlite's
`Connection._execute`, the queue its public methods use too (SQLAlchemy's adapter reaches
into the same queue to set the isolation level); pyproject.toml asks for the versions it was
built on.
"""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

_T = TypeVar("_T")

# Statements run on the loop (see above); a query for at most this long there.
_CHANGES = ("INSERT", "UPDATE", "DELETE")
QUERY_BUDGET_SECONDS = 0.005
_PROGRESS_STEPS = 1000  # SQLite virtual-machine steps between two looks at the clock


class _Outcome(NamedTuple):
    """What a statement left on its sqlite3 cursor."""

    description: tuple[tuple[Any, ...], ...] | None
    rowcount: int
    lastrowid: int | None


_NO_STATEMENT_YET = _Outcome(None, -1, None)  # as a fresh sqlite3 cursor reports


def _run(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[_Outcome, list[Any] | None]:
    """The whole statement, its rows included."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return _Outcome(cursor.description, cursor.rowcount, cursor.lastrowid), rows
    finally:
        cursor.close()


def _run_briefly(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[_Outcome, list[Any] | None]:
    """`_run`, interrupted (SQLITE_INTERRUPT) once it has run for QUERY_BUDGET_SECONDS."""
    deadline = time.perf_counter() + QUERY_BUDGET_SECONDS
    connection.set_progress_handler(lambda: time.perf_counter() > deadline, _PROGRESS_STEPS)
    try:
        return _run(connection, operation, parameters, many)
    finally:
        connection.set_progress_handler(None, 0)


def _waiting(
    connection: sqlite3.Connection,
    busy_timeout_ms: int,
    function: Callable[..., _T],
    args: tuple[Any, ...],
) -> _T:
    """On aiosqlite's thread: `function(connection, *args)`, waiting for locks up to the timeout."""
    connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    try:
        return function(connection, *args)
    finally:
        connection.execute("PRAGMA busy_timeout=0")


def _for_the_thread(error: sqlite3.OperationalError) -> bool:
    """Busy (another connection's lock), or a query interrupted for running long."""
    # SQLITE_BUSY and its extended codes (_RECOVERY, _SNAPSHOT, _TIMEOUT) share the low byte.
    code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_INTERRUPT)


class LoopCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, whose statements run as the module docstring says."""

    __slots__ = ("_outcome",)

    _awaitable_cursor_close = False  # nothing stays open between statements

    def _make_new_cursor(self, connection: Any) -> Any:
        # SQLAlchemy's __init__ asks for a driver cursor here: there is none to open yet.
        self._outcome = _NO_STATEMENT_YET
        return None

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    @property
    def description(self) -> Any:
        return self._outcome.description

    @property
    def rowcount(self) -> int:
        return self._outcome.rowcount

    @property
    def lastrowid(self) -> Any:
        return self._outcome.lastrowid

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._statement(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._statement(operation, seq_of_parameters, many=True)

    async def _statement(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection = cast(LoopConnection, self._adapt_connection)
        args = (operation, parameters, many)
        verb = operation.lstrip()[:6].upper()
        async with connection._execute_mutex:
            if many or (verb != "SELECT" and verb not in _CHANGES):
                self._outcome, rows = await connection.run_waiting(_run, *args)
            elif verb == "SELECT":
                self._outcome, rows = await connection.run(_run_briefly, *args, again=_run)
            else:
                self._outcome, rows = await connection.run(_run, *args)
            if rows is not None:
                self._rows = deque(rows)

    def close(self) -> None:
        self._rows.clear()


class LoopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, with the cursor above; a commit or rollback runs on
    the loop, and only when a transaction is open (sqlite3 itself checks the same)."""

    __slots__ = ("_busy_timeout_ms",)

    _cursor_cls = LoopCursor

    def __init__(self, dbapi: Any, connection: Any, busy_timeout_ms: int) -> None:
        super().__init__(dbapi, connection)
        self._busy_timeout_ms = busy_timeout_ms

    async def run(
        self,
        function: Callable[..., _T],
        *args: Any,
        again: Callable[..., _T] | None = None,
    ) -> _T:
        """`function(sqlite3 connection, *args)` here; on the thread (as `again`, if given)
        if SQLite says busy, or interrupted it for running long."""
        raw = self._raw()
        changes = raw.total_changes
        try:
            return function(raw, *args)
        except sqlite3.OperationalError as error:
            # A statement that changed rows before it was stopped is not run twice.
            if not _for_the_thread(error) or raw.total_changes != changes:
                raise
        return await self.run_waiting(again or function, *args)

    async def run_waiting(self, function: Callable[..., _T], *args: Any) -> _T:
        """`function(sqlite3 connection, *args)` on aiosqlite's thread, waiting for locks."""
        connection = cast(aiosqlite.Connection, self._connection)
        return cast(
            _T,
            await connection._execute(  # type: ignore[no-untyped-call]
                _waiting, self._raw(), self._busy_timeout_ms, function, args
            ),
        )

    def commit(self) -> None:
        if self._in_transaction():
            self._end(sqlite3.Connection.commit)

    def rollback(self) -> None:
        if self._in_transaction():
            self._end(sqlite3.Connection.rollback)

    def _end(self, how: Callable[[sqlite3.Connection], None]) -> None:
        try:
            await_(self.run(how))
        except Exception as error:
            self._handle_exception(error)

    def _raw(self) -> sqlite3.Connection:
        raw = cast(aiosqlite.Connection, self._connection)._connection
        if raw is None:
            raise ValueError("Connection closed")  # as aiosqlite says it (see the adapter)
        return raw

    def _in_transaction(self) -> bool:
        connection = cast(aiosqlite.Connection, self._connection)
        # SQLite's own flag (sqlite3_get_autocommit).
        return connection._connection is not None and connection.in_transaction


class LoopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's DBAPI module, with the connections above.

    `timeout` (seconds, as sqlite3.connect takes it) is how long a statement on the thread
    waits for another connection's lock; the connection itself is opened not to wait.
    """

    def connect(self, *arg: Any, timeout: float = 5.0, **kw: Any) -> LoopConnection:
        connection = self.aiosqlite.connect(*arg, timeout=0, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's adapter does
        return LoopConnection(self, await_(connection), round(timeout * 1000))


def dbapi() -> LoopDBAPI:
    return LoopDBAPI(aiosqlite, sqlite3)
