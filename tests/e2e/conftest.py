"""End-to-end fixtures: the real bot against the emulator, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.harness import Harness, running_bot


@pytest.fixture
async def bot(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str
) -> AsyncIterator[Harness]:
    """The bot on a fresh SQLite file."""
    async with running_bot(
        database_url=migrated_sqlite_url, data_dir=tmp_path, key=encryption_key
    ) as harness:
        yield harness


@pytest.fixture
async def bot_on(migrated_url: str, tmp_path: Path, encryption_key: str) -> AsyncIterator[Harness]:
    """The bot on SQLite and, in a second run, on PostgreSQL."""
    async with running_bot(
        database_url=migrated_url, data_dir=tmp_path, key=encryption_key
    ) as harness:
        yield harness
