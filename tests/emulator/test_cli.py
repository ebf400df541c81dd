"""``python -m reflect_bot.emulator`` serves a bot until interrupted."""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp

from ._support import TOKEN


async def test_standalone_server_answers_and_stops_on_sigint() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reflect_bot.emulator",
        "--port",
        "0",
        "--token",
        TOKEN,
        "--user",
        "1001:Ada",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first_line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        url = first_line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{url}/bot{TOKEN}/getMe") as response:
                assert (await response.json())["result"]["username"] == "reflect_test_bot"
            async with session.post(
                f"{url}/bot{TOKEN}/sendMessage", data={"chat_id": "1001", "text": "hi Ada"}
            ) as response:
                assert (await response.json())["ok"] is True
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
