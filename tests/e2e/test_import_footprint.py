"""What a bot on SQLite loads, and how: SQLAlchemy's PostgreSQL dialect never (≈ 2.4 MB of a
process that never talks to PostgreSQL), and every library the way it is installed — no
module hidden from another (production must import exactly as the tests do). The bot runs in
a fresh interpreter, on a database migrated beforehand (a restart); its modules are listed
once started and idle, and again after it has greeted a clinician, stored an answer and run
a scheduler tick. Which modules are loaded is the promise here, so it is what the test reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from reflect_bot.db.migrations import upgrade_head

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# A module that an import trick hid shows as None in sys.modules: listed as "hidden".
CHILD = """
import asyncio, json, sys
from pathlib import Path

from tests.shipped import CHECKIN_PROGRAM_ID
from tests.e2e.harness import running_bot
from tests.shipped import CHECKIN_PROGRAM_ID

async def main() -> None:
    url, data_dir, key = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    async with running_bot(database_url=url, data_dir=data_dir, key=key) as bot:
        idle = sorted(sys.modules)
        await bot.onboard()
        await bot.say("/checkin")
        checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
        await bot.reflect_through(checkin, await bot.expect())
        await bot.tick()
    hidden = sorted(name for name, module in sys.modules.items() if module is None)
    print(json.dumps({"idle": idle, "working": sorted(sys.modules), "hidden": hidden}))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The modules of one bot, started once for this file's tests, which read different
    parts of the same lists."""
    data_dir = tmp_path_factory.mktemp("footprint")
    url = f"sqlite+aiosqlite:///{data_dir / 'reflect.sqlite3'}"
    upgrade_head(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    key = Fernet.generate_key().decode("ascii")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(data_dir), key],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    lists = json.loads(child.stdout.strip().splitlines()[-1])
    return {moment: set(names) for moment, names in lists.items()}


def test_a_bot_on_sqlite_never_loads_the_postgresql_dialect(modules: dict[str, set[str]]) -> None:
    working = modules["working"]
    assert "reflect_bot.delivery.planner" in working, "the tick ran"
    assert "sqlalchemy.dialects.sqlite" in working
    assert not {m for m in working if m.startswith("sqlalchemy.dialects.postgresql")}
    assert "alembic" not in working, "a restart on an up-to-date SQLite file skips Alembic"


def test_a_bot_imports_its_libraries_as_installed_and_encrypts_what_it_stores(
    modules: dict[str, set[str]],
) -> None:
    """No module is hidden (python-telegram-bot sees cryptography): the bot in production
    loads what the tests load."""
    assert modules["hidden"] == set()
    assert "aiohttp.client" in modules["working"], "its requests go out by telegram_http"
    assert "cryptography.fernet" in modules["working"], "the answer was stored encrypted"
