"""A restart on a database already at the newest schema skips Alembic entirely: SQLite
migrates itself when behind, and on PostgreSQL the start-up check only reads the version row."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from reflect_bot.db.engine import create_engine
from reflect_bot.db.migrations import (
    head_revision,
    pending,
    script_heads,
    sqlite_is_current,
    upgrade_head,
)


def test_the_fast_check_agrees_with_alembic(sqlite_url: str, tmp_path: Path) -> None:
    assert script_heads() == {head_revision(sqlite_url)}
    assert not sqlite_is_current(sqlite_url), "an empty file needs migrating"
    upgrade_head(sqlite_url)
    assert sqlite_is_current(sqlite_url)
    path = sqlite_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'older'")
    connection.close()
    assert not sqlite_is_current(sqlite_url), "a file behind the head is migrated by Alembic"
    assert not sqlite_is_current("postgresql+asyncpg://user@host/db")


def _in_a_fresh_interpreter(call: str) -> str:
    """What `call` returns, and whether Alembic was loaded, in a new Python process."""
    probe = (
        "import asyncio, sys\n"
        "from reflect_bot.db.migrations import pending, upgrade_head\n"
        f"print({call}, 'alembic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_upgrading_a_current_file_does_not_import_alembic(sqlite_url: str) -> None:
    upgrade_head(sqlite_url)
    assert _in_a_fresh_interpreter(f"upgrade_head({sqlite_url!r})") == "None False"


@pytest.mark.postgres
def test_a_postgresql_database_at_the_head_is_checked_without_alembic(
    migrated_postgres_url: str,
) -> None:
    url = migrated_postgres_url
    assert _in_a_fresh_interpreter(f"asyncio.run(pending({url!r}))") == "False False"

    async def set_version(value: str) -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": value}
            )
        await engine.dispose()

    asyncio.run(set_version("older"))
    assert asyncio.run(pending(url)), "a database behind the head must be migrated first"
