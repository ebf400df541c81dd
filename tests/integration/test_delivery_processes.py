"""Whole sender processes: a kill -9 mid-delivery, then a restart; and two senders at once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from reflect_bot.delivery.sender import LEASE
from tests.integration.delivery_world import World, delivery_world

pytestmark = pytest.mark.slow

NINE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def world(migrated_url: str, encryption_key: str) -> AsyncIterator[World]:
    async with delivery_world(migrated_url, encryption_key) as w:
        yield w


def _environment(world: World, **extra: str) -> dict[str, str]:
    settings = world.services.settings
    assert settings.bot_token is not None
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("REFLECT_")  # nothing from the developer's own set-up
    }
    env.update(
        REFLECT_DATABASE_URL=settings.effective_database_url,
        REFLECT_BOT_TOKEN=settings.bot_token.get_secret_value(),
        REFLECT_TELEGRAM_BASE_URL=settings.telegram_base_url,
        REFLECT_ENCRYPTION_KEYS=",".join(k.get_secret_value() for k in settings.encryption_keys),
        REFLECT_DATA_DIR=str(settings.data_dir),
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


async def _start(
    world: World, now: datetime, *flags: str, **env: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.sender_process",
        "--now",
        now.isoformat(),
        *flags,
        cwd=ROOT,
        env=_environment(world, **env),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _run(world: World, now: datetime, **env: str) -> dict[str, Any]:
    return await _finish(await _start(world, now, **env))


async def _finish(process: asyncio.subprocess.Process) -> dict[str, Any]:
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    report: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return report


async def _kill_when_hanging(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.strip() == b"HANGING", line
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def test_kill_9_after_claiming_then_restart_sends_exactly_once(world: World) -> None:
    await world.clinician(1, "Europe/London", at=time(9, 0))
    await world.tick()  # plan at 08:00
    process = await _start(world, NINE, "--hang-before-send")
    await _kill_when_hanging(process)
    (row,) = [r for r in await world.rows() if r.local_date == NINE.date()]
    assert row.status == "claimed" and world.prompts_to(1) == []

    # A restart while the dead process's lease still holds leaves the row alone…
    report = await _run(world, NINE + timedelta(seconds=30))
    assert report["sending"]["sent"] == 0
    # …and once the lease has run out, the row is sent, once.
    report = await _run(world, NINE + LEASE + timedelta(seconds=1))
    assert report["sending"]["sent"] == 1
    assert len(world.prompts_to(1)) == 1
    (row,) = [r for r in await world.rows() if r.local_date == NINE.date()]
    assert row.status == "sent"


async def test_kill_9_after_telegram_accepted_is_the_documented_duplicate(world: World) -> None:
    """The one exception to "once": the process died after Telegram accepted the prompt and
    before recording it, so the restarted sender cannot know and sends it again."""
    await world.clinician(2, "Europe/London", at=time(9, 0))
    await world.tick()
    process = await _start(world, NINE, "--hang-before-record")
    await _kill_when_hanging(process)
    assert len(world.prompts_to(2)) == 1
    await _run(world, NINE + LEASE + timedelta(seconds=1))
    assert len(world.prompts_to(2)) == 2
    assert [r.status for r in await world.rows() if r.local_date == NINE.date()] == ["sent"]


@pytest.mark.postgres
async def test_two_sender_processes_on_postgresql_send_each_delivery_once(
    postgres_url: str, encryption_key: str
) -> None:
    async with delivery_world(postgres_url, encryption_key) as world:
        users = list(range(1000, 1120))
        for user in users:
            await world.clinician(user, "Europe/London", at=time(9, 0))
        await world.tick()  # plan at 08:00
        fast = {"REFLECT_SEND_RATE_PER_SECOND": "30"}
        processes = [await _start(world, NINE, "--wait-for-go", **fast) for _ in range(2)]
        for process in processes:  # both loaded and connected: now let them race
            assert process.stdout is not None
            assert await asyncio.wait_for(process.stdout.readline(), timeout=60) == b"READY\n"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
        reports = await asyncio.gather(*(_finish(process) for process in processes))
        sent = [r["sending"]["sent"] for r in reports]
        assert sum(sent) == len(users)
        counts = {user: len(world.prompts_to(user)) for user in users}
        assert set(counts.values()) == {1}, "every delivery sent exactly once"
        rows = [r for r in await world.rows() if r.local_date == NINE.date()]
        assert len(rows) == len(users) and {r.status for r in rows} == {"sent"}
        workers = {r.claimed_by for r in rows}
        assert len(workers) == 2, f"both processes took part: {sent}"
