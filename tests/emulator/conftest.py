"""Fixtures for the emulator tests: a running emulator, a raw HTTP client, a PTB Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot

from reflect_bot import telegram_http
from reflect_bot.emulator import BotAPIEmulator

from ._support import TOKEN, USER, RawApi


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator(TOKEN, bot_username="reflect_test_bot") as emulator:
        emulator.default_timeout = 3.0
        yield emulator


@pytest.fixture
async def api(emu: BotAPIEmulator) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(session, emu)


@pytest.fixture
def chat(emu: BotAPIEmulator) -> int:
    """A private chat whose user has already started the bot."""
    emu.private_chat(USER, "Ada", started=True)
    return USER


@pytest.fixture
async def bot(emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    async with telegram_http.bot(
        TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url
    ) as ptb_bot:
        yield ptb_bot
