"""SQLite through aiosqlite, one hand-off to its thread per statement.

aiosqlite runs each connection's sqlite3 calls on a thread of its own; every call the
asyncio loop makes into it is a hand-off there and back (a queue, a thread wake-up, a write
to the loop's self-pipe): ≈ 70 µs of CPU each on the project's machines, where running the
statement itself takes a few µs. SQLAlchemy's adapter makes four per SELECT (open a cursor,
execute, fetch, close) and three per INSERT or UPDATE. The cursor here opens, executes,
fetches and closes in one; a commit or rollback with no transaction open (a read-only
transaction; the pool's reset after a commit) makes none, as sqlite3 would do nothing then.

It is SQLAlchemy's own aiosqlite adapter otherwise, given to the engine as its DBAPI module
(`create_async_engine(module=...)`). The one hand-off uses aiosqlite's `Connection._execute`,
the queue its public methods use too (SQLAlchemy's adapter reaches into the same queue to
set the isolation level); pyproject.toml asks for the versions it was built on.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any, NamedTuple, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_


class _Outcome(NamedTuple):
    """What a statement left on its sqlite3 cursor, read on aiosqlite's thread."""

    description: tuple[tuple[Any, ...], ...] | None
    rowcount: int
    lastrowid: int | None


_NO_STATEMENT_YET = _Outcome(None, -1, None)  # as a fresh sqlite3 cursor reports


def _run(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[_Outcome, list[Any] | None]:
    """On aiosqlite's thread: the whole statement, its rows included."""
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


class OneHandOffCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, whose statements each cost one hand-off."""

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
        return await self._hand_off(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._hand_off(operation, seq_of_parameters, many=True)

    async def _hand_off(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection = cast(aiosqlite.Connection, self._connection)
        async with self._adapt_connection._execute_mutex:
            self._outcome, rows = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
            if rows is not None:
                self._rows = deque(rows)

    def close(self) -> None:
        self._rows.clear()


class OneHandOffConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, with the cursor above; a commit or rollback
    goes to the thread only when a transaction is open (sqlite3 itself checks the same)."""

    __slots__ = ()

    _cursor_cls = OneHandOffCursor

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()

    def _in_transaction(self) -> bool:
        connection = cast(aiosqlite.Connection, self._connection)
        # SQLite's own flag (sqlite3_get_autocommit), read without a hand-off.
        return connection._connection is not None and connection.in_transaction


class OneHandOffDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's DBAPI module, with the connections above."""

    def connect(self, *arg: Any, **kw: Any) -> OneHandOffConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's adapter does
        return OneHandOffConnection(self, await_(connection))


def dbapi() -> OneHandOffDBAPI:
    return OneHandOffDBAPI(aiosqlite, sqlite3)
