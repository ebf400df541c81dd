"""Key rotation and key checks over every encrypted column of every table.

`rotate` re-encrypts each stored value under the key ring's first key, a batch of rows per
transaction. A value already readable by the first key is left alone, so an interrupted
rotation is finished by running it again. `check` reports, per table and column, how many
values no configured key can read and how many still wait for rotation. Neither ever
returns or prints a decrypted value: only table, column, row ids and counts.

The encrypted columns are read from the models this module imports (db/models.py), not from
whatever some earlier import happened to register, so a fresh `reflect-bot keys …` process
sees every one of them; finding none is an error, never a report that all is well.

At start the bot checks that its keys fit the database (`fit`): the key canary, a known
value written under the first key, or, in a database older than the canary, one stored value
per encrypted column. That check uses only the standard library (crypto.key_wrote), so a
restarted bot still loads cryptography only when it first encrypts or decrypts a value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Table, and_, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from reflect_bot.crypto import key_wrote
from reflect_bot.db import models  # imported here, so the tables walked below are all known
from reflect_bot.db.engine import transaction
from reflect_bot.db.statements import insert_or_ignore
from reflect_bot.db.types import EncryptedText

if TYPE_CHECKING:  # cryptography (≈ 9 MB) is loaded by rotate and check, not by the start check
    from cryptography.fernet import Fernet

DEFAULT_BATCH_SIZE = 500
# Row ids listed per column in a report; the counts are always complete.
MAX_IDS_SHOWN = 20


@dataclass(frozen=True)
class EncryptedColumn:
    """One EncryptedText column and its table's single-column primary key."""

    table: str
    column: str
    key: str


@dataclass
class ColumnReport:
    """What one pass found in one encrypted column (ids only, never contents)."""

    table: str
    column: str
    values: int = 0  # non-NULL values looked at
    rotated: int = 0  # re-encrypted under the first key by this pass
    stale: int = 0  # readable, but only by an older key (rotate has work to do)
    undecryptable: int = 0  # no configured key can read them
    undecryptable_ids: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"

    def note_undecryptable(self, row_id: int) -> None:
        self.undecryptable += 1
        if len(self.undecryptable_ids) < MAX_IDS_SHOWN:
            self.undecryptable_ids.append(row_id)


# Called after each committed batch with the table name and rows done so far in it.
Progress = Callable[[str, int], None]


class NoEncryptedColumnsError(RuntimeError):
    """Raised instead of reporting on nothing: a key command that sees no encrypted column
    would otherwise say every value is fine while it looked at none."""


def encrypted_columns(tables: list[Table] | None = None) -> list[EncryptedColumn]:
    """Every EncryptedText column of the models' tables (or of the tables given)."""
    found: list[EncryptedColumn] = []
    for each in tables if tables is not None else SQLModel.metadata.sorted_tables:
        names = [c.name for c in each.columns if isinstance(c.type, EncryptedText)]
        if not names:
            continue
        keys = list(each.primary_key.columns)
        if len(keys) != 1:
            raise ValueError(f"{each.name}: encrypted columns need a single-column primary key")
        found.extend(EncryptedColumn(each.name, name, keys[0].name) for name in names)
    return found


def _columns_to_walk(columns: list[EncryptedColumn] | None) -> list[EncryptedColumn]:
    found = encrypted_columns() if columns is None else columns
    if not found:
        raise NoEncryptedColumnsError("no encrypted columns found: nothing would be checked")
    return found


def _by_table(columns: list[EncryptedColumn]) -> Iterator[tuple[str, str, list[str]]]:
    tables: dict[tuple[str, str], list[str]] = {}
    for each in columns:
        tables.setdefault((each.table, each.key), []).append(each.column)
    for (name, key), names in tables.items():
        yield name, key, names


def _under_first_key(first: Fernet, token: bytes) -> bool:
    from cryptography.fernet import InvalidToken

    try:
        first.decrypt(token)
    except InvalidToken:
        return False
    return True


async def _batch(
    session: AsyncSession, name: str, key: str, names: list[str], after: int | None, size: int
) -> list[tuple[int, list[str | None]]]:
    # Lightweight, untyped columns: the raw stored tokens, with no decryption on the way.
    raw = table(name, column(key), *(column(n) for n in names))
    query = select(raw.c[key], *(raw.c[n] for n in names)).order_by(raw.c[key]).limit(size)
    if after is not None:
        query = query.where(raw.c[key] > after)
    rows = (await session.execute(query)).all()
    return [(int(row[0]), [None if v is None else str(v) for v in row[1:]]) for row in rows]


@dataclass(frozen=True)
class _Stored:
    report: ColumnReport
    row_id: int
    column: str
    value: str
    token: bytes


def _not_under_first_key(
    rows: list[tuple[int, list[str | None]]],
    name: str,
    key: str,
    names: list[str],
    reports: dict[EncryptedColumn, ColumnReport],
    first_key: Fernet,
) -> Iterator[_Stored]:
    """Counts every stored value of a batch; yields those the first key did not write."""
    for row_id, values in rows:
        for column_name, value in zip(names, values, strict=True):
            if value is None:
                continue
            report = reports[EncryptedColumn(name, column_name, key)]
            report.values += 1
            token = value.encode("ascii")
            if not _under_first_key(first_key, token):
                yield _Stored(report, row_id, column_name, value, token)


async def rotate(
    sessions: async_sessionmaker[AsyncSession],
    *,
    keys: Sequence[Fernet],
    batch_size: int = DEFAULT_BATCH_SIZE,
    columns: list[EncryptedColumn] | None = None,
    progress: Progress | None = None,
) -> list[ColumnReport]:
    """Re-encrypts every value under the first of `keys`, committing after each batch.

    Values no key can read are left as they are and counted. A value changed by someone
    else between read and write is left for the next run (the write is conditional).
    """
    from cryptography.fernet import InvalidToken, MultiFernet

    cipher, first_key = MultiFernet(list(keys)), keys[0]
    reports = {c: ColumnReport(c.table, c.column) for c in _columns_to_walk(columns)}
    for name, key, names in _by_table(list(reports)):
        after: int | None = None
        done = 0
        while True:
            async with transaction(sessions) as session:
                rows = await _batch(session, name, key, names, after, batch_size)
                if not rows:
                    break
                raw = table(name, column(key), *(column(n) for n in names))
                for stored in _not_under_first_key(rows, name, key, names, reports, first_key):
                    try:
                        fresh = cipher.rotate(stored.token).decode("ascii")
                    except InvalidToken:
                        stored.report.note_undecryptable(stored.row_id)
                        continue
                    await session.execute(
                        update(raw)
                        .where(
                            and_(raw.c[key] == stored.row_id, raw.c[stored.column] == stored.value)
                        )
                        .values({stored.column: fresh})
                    )
                    stored.report.rotated += 1
                after = rows[-1][0]
                done += len(rows)
            if progress is not None:
                progress(name, done)
            if len(rows) < batch_size:
                break
    return list(reports.values())


async def check(
    sessions: async_sessionmaker[AsyncSession],
    *,
    keys: Sequence[Fernet],
    batch_size: int = DEFAULT_BATCH_SIZE,
    columns: list[EncryptedColumn] | None = None,
) -> list[ColumnReport]:
    """Reads every value with `keys`; counts what is unreadable or not under the first key."""
    from cryptography.fernet import InvalidToken, MultiFernet

    cipher, first_key = MultiFernet(list(keys)), keys[0]
    reports = {c: ColumnReport(c.table, c.column) for c in _columns_to_walk(columns)}
    for name, key, names in _by_table(list(reports)):
        after: int | None = None
        while True:
            async with transaction(sessions) as session:
                rows = await _batch(session, name, key, names, after, batch_size)
            for stored in _not_under_first_key(rows, name, key, names, reports, first_key):
                try:
                    cipher.decrypt(stored.token)
                except InvalidToken:
                    stored.report.note_undecryptable(stored.row_id)
                else:
                    stored.report.stale += 1
            if len(rows) < batch_size:
                break
            after = rows[-1][0]
    return list(reports.values())


# --------------------------------------------------------------------------- start-up check

CANARY_ID = 1
CANARY_TEXT = "reflect-bot key canary"
# The stored token, read and written raw: the model's EncryptedText would use the global ring.
_canary = table(models.KeyCanary.__tablename__, column("id"), column("value"))


@dataclass(frozen=True)
class KeyFit:
    """What the start-up check looked at and how much of it the keys can read."""

    canary: bool  # True: the canary was there and is what was looked at
    looked_at: int
    readable: int

    @property
    def none_readable(self) -> bool:
        """Something is stored and no key can read any of it: the bot must not start."""
        return self.looked_at > 0 and self.readable == 0


async def fit(sessions: async_sessionmaker[AsyncSession], *, keys: Sequence[str]) -> KeyFit:
    """Whether `keys` read what is stored: the canary, or without one (a database from before
    it) the first stored value of each encrypted column."""
    async with transaction(sessions) as session:
        canary = await _canary_token(session)
        tokens = [canary] if canary is not None else await _samples(session)
    readable = sum(any(key_wrote(key, token) for key in keys) for token in tokens)
    return KeyFit(canary=canary is not None, looked_at=len(tokens), readable=readable)


async def write_canary(sessions: async_sessionmaker[AsyncSession], *, key: str) -> None:
    """Stores the canary under `key` unless one is there (two starting bots write one)."""
    from cryptography.fernet import Fernet

    token = Fernet(key).encrypt(CANARY_TEXT.encode("utf-8")).decode("ascii")
    async with transaction(sessions) as session:
        insert = insert_or_ignore(session, _canary, conflict=["id"])
        await session.execute(insert.values(id=CANARY_ID, value=token))


async def canary_present(session: AsyncSession) -> bool:
    return await _canary_token(session) is not None


async def _canary_token(session: AsyncSession) -> str | None:
    query = select(_canary.c.value).where(_canary.c.id == CANARY_ID)
    value = (await session.execute(query)).scalar_one_or_none()
    return None if value is None else str(value)


async def _samples(session: AsyncSession) -> list[str]:
    tokens: list[str] = []
    for each in encrypted_columns():
        if each.table == models.KeyCanary.__tablename__:
            continue
        raw = table(each.table, column(each.column))
        query = select(raw.c[each.column]).where(raw.c[each.column].is_not(None)).limit(1)
        value = (await session.execute(query)).scalar_one_or_none()
        if value is not None:
            tokens.append(str(value))
    return tokens
