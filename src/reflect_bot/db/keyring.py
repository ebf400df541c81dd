"""Key rotation and key checks over every encrypted column of every table.

`rotate` re-encrypts each stored value under the key ring's first key, a batch of rows per
transaction. A value already readable by the first key is left alone, so an interrupted
rotation is finished by running it again. `check` reports, per table and column, how many
values no configured key can read and how many still wait for rotation. Neither ever
returns or prints a decrypted value: only table, column, row ids and counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Table, and_, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from reflect_bot.db.engine import transaction
from reflect_bot.db.types import EncryptedText

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


def encrypted_columns(tables: list[Table] | None = None) -> list[EncryptedColumn]:
    """Every EncryptedText column in the schema (SQLModel.metadata unless tables are given)."""
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


def _by_table(columns: list[EncryptedColumn]) -> Iterator[tuple[str, str, list[str]]]:
    tables: dict[tuple[str, str], list[str]] = {}
    for each in columns:
        tables.setdefault((each.table, each.key), []).append(each.column)
    for (name, key), names in tables.items():
        yield name, key, names


def _under_first_key(first: Fernet, token: bytes) -> bool:
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
    cipher, first_key = MultiFernet(list(keys)), keys[0]
    reports = {c: ColumnReport(c.table, c.column) for c in columns or encrypted_columns()}
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
    cipher, first_key = MultiFernet(list(keys)), keys[0]
    reports = {c: ColumnReport(c.table, c.column) for c in columns or encrypted_columns()}
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
