"""Faults with nothing lost: the database goes away while an answer arrives; Telegram (the
emulator) answers 5xx, drops the connection, or answers too late."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from reflect_bot import transport
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer
from tests.e2e.harness import QUICK_RETRIES, USER, Harness
from tests.postgres import POSTGRES_URL, connect

FEELING = "what is the feeling?"
NEXT = "Which family"


async def _to_feeling(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("how strong is the feeling")
    await bot.press("4", first)
    await bot.expect(FEELING)


async def _feelings(bot: Harness) -> list[str | None]:
    async with transaction(bot.services.sessions) as session:
        query = select(col(Answer.text)).where(col(Answer.step_id) == "feeling")
        return list((await session.execute(query)).scalars())


def _swap_for_a_folder(path: Path) -> None:
    path.rename(path.with_name(path.name + ".away"))
    path.mkdir()  # a directory where the file was: every open fails at once


def _swap_back(path: Path) -> None:
    path.rmdir()
    path.with_name(path.name + ".away").rename(path)


@asynccontextmanager
async def _database_outage(bot: Harness) -> AsyncIterator[None]:
    """The database becomes unreachable, and comes back when the block ends.

    SQLite: the bot's pooled connections are closed (as a failing disk or a lost volume
    would) and the file's path stops being openable. PostgreSQL: the server refuses new
    connections to the database and ends the open ones, as a restart or failover does.
    """
    url = bot.settings.effective_database_url
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        await bot.services.engine.dispose()
        _swap_for_a_folder(path)
        try:
            yield
        finally:
            _swap_back(path)
        return
    name = url.rsplit("/", 1)[1]
    admin = await connect(POSTGRES_URL)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


async def test_an_answer_during_a_database_outage_is_reported_then_works_again(
    bot_on: Harness,
) -> None:
    bot = bot_on
    await _to_feeling(bot)
    async with _database_outage(bot):
        await bot.say("Sent while the database was away")
        told = await bot.expect("not been stored")
        assert "send it again" in told.text
        assert bot.app.running
    # Back again, without a restart: the same question is still waiting.
    await bot.say("Sent once it was back")
    await bot.expect(NEXT)
    assert await _feelings(bot) == ["Sent once it was back"]


async def _one_answer_acknowledged_once(bot: Harness, text: str) -> None:
    await bot.say(text)
    await bot.expect(NEXT)
    await bot.emulator.assert_no_bot_message(USER, within=0.4)
    assert await _feelings(bot) == [text]
    nexts = [m for m in bot.emulator.bot_messages(USER) if NEXT in (m.text or "")]
    assert len(nexts) == 1, "sent exactly once"


async def test_server_errors_from_telegram_are_retried_without_duplicates(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "BACKOFF", QUICK_RETRIES)  # as many tries, shorter pauses
    await _to_feeling(bot)
    bot.emulator.fail_next("sendMessage", 502, count=2)
    await _one_answer_acknowledged_once(bot, "Retried past two 502s")
    assert bot.app.running


async def test_a_connection_dropped_before_telegram_acted_is_retried_once(bot: Harness) -> None:
    await _to_feeling(bot)
    bot.emulator.drop_connection_next("sendMessage", when="before")
    await _one_answer_acknowledged_once(bot, "Retried past a dropped connection")
    # And the bot goes on answering.
    family = bot.emulator.last_bot_message(USER)
    await bot.press(family.button_texts[0], family)
    await bot.expect("When did it show up")


async def test_a_reply_whose_answer_timed_out_is_sent_again_at_most_once(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram acted but answered too late: the bot cannot know, so it sends again. This is
    the one duplicate the at-least-once design allows (transport.py); the answer itself
    is stored once and the bot carries on."""
    await _to_feeling(bot)
    monkeypatch.setattr(transport, "READ_TIMEOUT", 0.4)
    sends = bot.emulator.request_counts["sendMessage"]
    bot.emulator.delay("sendMessage", 1.0)

    async def only_the_first_is_slow() -> None:
        await bot.emulator.wait_until(lambda: bot.emulator.request_counts["sendMessage"] > sends)
        bot.emulator.delay("sendMessage", 0)

    slow: asyncio.Task[Any] = asyncio.create_task(only_the_first_is_slow())
    await bot.say("Answered while Telegram was slow")
    await slow
    await bot.expect(NEXT)
    await bot.emulator.wait_until(
        lambda: bot.emulator.request_counts["sendMessage"] == sends + 2, timeout=3
    )
    await asyncio.sleep(1.0)  # the slow first send lands after the retry
    nexts = [m for m in bot.emulator.bot_messages(USER) if NEXT in (m.text or "")]
    assert len(nexts) == 2, "the lost answer's message, once more; nothing else"
    assert await _feelings(bot) == ["Answered while Telegram was slow"]
    await bot.press(nexts[-1].button_texts[0], nexts[-1])
    await bot.expect("When did it show up")
