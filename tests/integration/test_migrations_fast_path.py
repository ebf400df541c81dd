"""A restart on a SQLite file already at the newest schema skips Alembic entirely."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from reflect_bot.db.migrations import head_revision, script_heads, sqlite_is_current, upgrade_head


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


def test_upgrading_a_current_file_does_not_import_alembic(sqlite_url: str) -> None:
    upgrade_head(sqlite_url)
    probe = (
        "import sys\n"
        "from reflect_bot.db.migrations import upgrade_head\n"
        f"upgrade_head({sqlite_url!r})\n"
        "print('alembic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
