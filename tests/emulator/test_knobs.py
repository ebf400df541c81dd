"""Fault and benchmark knobs, checked through python-telegram-bot's own error mapping."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from reflect_bot import telegram_http
from reflect_bot.emulator import BotAPIEmulator

from ._support import TOKEN, RawApi


async def test_fail_next_500_then_recovers(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    emu.fail_next("sendMessage", 500, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(chat, "hi")
    await bot.send_message(chat, "hi")
    assert [m.text for m in emu.bot_messages(chat)] == ["hi"]  # failed calls had no effect
    assert emu.request_counts["sendMessage"] == 3


async def test_fail_next_429_carries_retry_after(
    api: RawApi, chat: int, emu: BotAPIEmulator
) -> None:
    emu.fail_next("sendMessage", 429, retry_after=7)
    status, body = await api.call("sendMessage", chat_id=chat, text="x")
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )


# PTB 22 warns about RetryAfter.retry_after's future type when it builds the exception.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_429_and_403_and_502_map_to_ptb_errors(
    bot: Bot, emu: BotAPIEmulator, chat: int
) -> None:
    emu.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await bot.send_message(chat, "x")
    emu.fail_next("sendMessage", 403)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(chat, "x")
    emu.fail_next("sendMessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(chat, "x")
    emu.fail_next("*", 400, description="Bad Request: custom")
    with pytest.raises(BadRequest, match=r"(?i)custom"):
        await bot.get_me()


async def test_block_chat(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    emu.block_chat(chat, notify_bot=False)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(chat, "still there?")
    assert emu.api_errors[-1].description == "Forbidden: bot was blocked by the user"
    assert emu.pending_updates == 0
    # Writing to the bot again unblocks it, as in Telegram's apps.
    await emu.send_text(chat, "/start")
    await bot.send_message(chat, "welcome back")


async def test_delay(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    emu.delay("sendMessage", 0.3)
    started = time.monotonic()
    await bot.send_message(chat, "slow")
    assert time.monotonic() - started >= 0.3
    emu.delay("sendMessage", 0)
    started = time.monotonic()
    await bot.send_message(chat, "fast")
    assert time.monotonic() - started < 0.3


async def test_delay_beyond_client_timeout(emu: BotAPIEmulator, chat: int) -> None:
    emu.delay("sendMessage", 0.5)
    async with telegram_http.bot(
        TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url, read_timeout=0.1
    ) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(chat, "late")
    # Like Telegram, the emulator still carries out a request the client gave up on.
    message = await emu.wait_for_bot_message(chat, timeout=2)
    assert message.text == "late"


async def test_drop_connection_before(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    emu.drop_connection_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(chat, "lost")
    assert emu.bot_messages(chat) == []
    await bot.send_message(chat, "fine")
    assert [m.text for m in emu.bot_messages(chat)] == ["fine"]
    assert [r.status for r in emu.requests if r.method == "sendMessage"] == [0, 200]


async def test_drop_connection_after_makes_a_duplicate(
    bot: Bot, emu: BotAPIEmulator, chat: int
) -> None:
    emu.drop_connection_next("sendMessage", when="after")
    with pytest.raises(NetworkError):
        await bot.send_message(chat, "once")
    await bot.send_message(chat, "once")  # a naive retry
    assert [m.text for m in emu.bot_messages(chat)] == ["once", "once"]


async def test_global_rate_limit(api: RawApi, emu: BotAPIEmulator, chat: int) -> None:
    emu.rate_limit = 5
    results = await asyncio.gather(
        *(api.call("sendMessage", chat_id=chat, text=str(i)) for i in range(8))
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 5 + [429] * 3
    refused = next(body for status, body in results if status == 429)
    assert refused["parameters"]["retry_after"] >= 1
    assert (
        refused["description"]
        == f"Too Many Requests: retry after {refused['parameters']['retry_after']}"
    )
    emu.rate_limit = None
    await api.ok("sendMessage", chat_id=chat, text="free again")


async def test_per_chat_rate_limit(api: RawApi, emu: BotAPIEmulator) -> None:
    emu.private_chat(1, "A", started=True)
    emu.private_chat(2, "B", started=True)
    emu.per_chat_rate_limit = 1
    await api.ok("sendMessage", chat_id=1, text="a")
    status, _ = await api.error("sendMessage", chat_id=1, text="a again")
    assert status == 429
    await api.ok("sendMessage", chat_id=2, text="b")  # other chats are unaffected
    emu.reset_faults()
    await api.ok("sendMessage", chat_id=1, text="a after reset")


async def test_sends_are_timestamped_and_counted(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    before = time.monotonic()
    await bot.send_message(chat, "one")
    await bot.send_message(chat, "two")
    sends = emu.sends
    assert [m.text for m in sends] == ["one", "two"]
    assert before <= sends[0].sent_at <= sends[1].sent_at <= time.monotonic()
    assert emu.request_counts["sendMessage"] == 2
    assert emu.request_counts["getMe"] == 1  # Bot.initialize()


async def test_a_message_can_be_deleted_only_within_48_hours_but_edited_after(
    bot: Bot, emu: BotAPIEmulator, chat: int
) -> None:
    """Telegram's rule: deleteMessage works for messages sent less than 48 hours ago."""
    young = await bot.send_message(chat, "young")
    old = await bot.send_message(chat, "old")
    emu.advance_clock(47 * 3600)
    assert await bot.delete_message(chat, young.message_id) is True
    emu.advance_clock(3600)
    with pytest.raises(BadRequest, match=r"(?i)message can.t be deleted for everyone"):
        await bot.delete_message(chat, old.message_id)
    edited = await bot.edit_message_text("withdrawn", chat, old.message_id)
    assert not isinstance(edited, bool) and edited.text == "withdrawn"
    assert [m.text for m in emu.bot_messages(chat)] == ["withdrawn"]
    with pytest.raises(ValueError, match="forward"):
        emu.advance_clock(-1)
