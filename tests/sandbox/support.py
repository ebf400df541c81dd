"""Starting the sandbox in-process for tests, on free ports and a temporary data folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from reflect_bot.config import get_settings
from reflect_bot.sandbox import Sandbox, SandboxOptions


@asynccontextmanager
async def running_sandbox(
    data_dir: Path, *, time_travel: bool = True, transcriber: bool = False
) -> AsyncIterator[Sandbox]:
    """The whole sandbox (emulator, bot, page) as `reflect-bot sandbox` starts it; with
    `transcriber`, a transcriber process beside it (as with the voice extra installed)."""
    settings = get_settings(_env_file=None)
    options = SandboxOptions(
        data_dir=data_dir, port=0, time_travel=time_travel, transcriber=transcriber
    )
    async with Sandbox(settings, options) as sandbox:
        sandbox.emulator.default_timeout = 5.0
        yield sandbox
