"""Two bots in one process (two Applications, as a test run or a host of several practices
has): each keeps its own wiring. Their composers, scheduler and guards' memory are built per
application and handed in, so neither sees the other's. Here the scheduler's own repeating
job does the sending, as in production: nobody calls tick."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, time
from pathlib import Path
from urllib.parse import urlparse

from reflect_bot.emulator import BotAPIEmulator
from tests.e2e.harness import USER, Harness, running_bot
from tests.e2e.test_digest import add_weekly_digest, check_in_with_a_rupture

SUNDAY_EVENING = datetime(2026, 11, 8, 18, 0, tzinfo=UTC)  # 18:00 in London
NAMES = ("first_practice_bot", "second_practice_bot")
TICK_SECONDS = 0.2


def linked_bots(message: object) -> set[str]:
    """The bots the message's t.me links open (the path of each link)."""
    entities = getattr(message, "entities", [])
    return {
        urlparse(entity["url"]).path.strip("/")
        for entity in entities
        if entity["type"] == "text_link" and urlparse(entity["url"]).netloc == "t.me"
    }


async def test_two_bots_in_one_process_send_digests_that_link_to_themselves(
    tmp_path: Path, encryption_key: str
) -> None:
    """Both started before either sends: each scheduled digest is sent by its own bot's job,
    once, and its concept links open that bot, not the one started last."""
    async with AsyncExitStack() as stack:
        bots: list[Harness] = []
        for n, name in enumerate(NAMES):
            emulator = await stack.enter_async_context(
                BotAPIEmulator(token=f"12345{n}:TEST-token", bot_username=name)
            )
            folder = tmp_path / name
            folder.mkdir()
            bots.append(
                await stack.enter_async_context(
                    running_bot(
                        database_url=f"sqlite+aiosqlite:///{folder / 'reflect.sqlite3'}",
                        data_dir=folder,
                        key=encryption_key,
                        emulator=emulator,
                        tick_seconds=TICK_SECONDS,
                    )
                )
            )
        for bot in bots:
            await bot.onboard()
            await check_in_with_a_rupture(bot)
            await add_weekly_digest(bot, weekday=6, at=time(18, 0))
            bot.clock.set(SUNDAY_EVENING)

        for bot, name in zip(bots, NAMES, strict=True):
            digest = await bot.expect("Your week in reflection")
            assert linked_bots(digest) == {name}
        await asyncio.sleep(5 * TICK_SECONDS)  # a few more ticks of each job
        for bot in bots:
            digests = [
                m
                for m in bot.emulator.bot_messages(USER)
                if "Your week in reflection" in (m.text or "")
            ]
            assert len(digests) == 1, "each digest was sent once, by its own bot"
