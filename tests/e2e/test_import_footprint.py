"""What a bot on SQLite never loads: SQLAlchemy's PostgreSQL dialect (≈ 2.4 MB of a process
that never talks to PostgreSQL). The bot runs in a fresh interpreter, on a database migrated
beforehand (a restart), greets a clinician and runs a scheduler tick; then its modules are
listed. Which modules are loaded is the promise here, so it is what the test reads."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from reflect_bot.db.migrations import upgrade_head

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import asyncio, json, sys
from pathlib import Path

from tests.e2e.harness import running_bot

async def main() -> None:
    url, data_dir, key = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    async with running_bot(database_url=url, data_dir=data_dir, key=key) as bot:
        await bot.say("/start")
        await bot.expect("Welcome")
        await bot.tick()
    print(json.dumps(sorted(sys.modules)))

asyncio.run(main())
"""


async def _modules_of_a_bot(database_url: str, data_dir: Path, key: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, database_url, str(data_dir), key,
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(child.communicate(), timeout=60)
    assert child.returncode == 0, err.decode()
    return set(json.loads(out.decode().strip().splitlines()[-1]))


async def test_a_bot_on_sqlite_never_loads_the_postgresql_dialect(
    sqlite_url: str, tmp_path: Path, encryption_key: str
) -> None:
    await asyncio.to_thread(upgrade_head, sqlite_url)
    modules = await _modules_of_a_bot(sqlite_url, tmp_path, encryption_key)
    assert "reflect_bot.delivery.planner" in modules, "the tick ran"
    assert "sqlalchemy.dialects.sqlite" in modules
    assert not {m for m in modules if m.startswith("sqlalchemy.dialects.postgresql")}
    assert "alembic" not in modules, "a restart on an up-to-date SQLite file skips Alembic"
