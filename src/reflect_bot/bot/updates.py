"""Runs updates from different chats side by side, and each chat's updates in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from reflect_bot.db.engine import finish_held


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat.

    One slow clinician (or a slow database write) must not hold up everyone else, but two
    answers from the same clinician must be stored in the order they were sent.

    The admission guard's transaction stays open for the update's handler; if no handler
    continued it, it is committed here, once the update has been handled.
    """

    # Enough to keep the process busy while some updates wait on Telegram or the database
    # (app.CONNECTION_POOL_SIZE leaves room for these).
    def __init__(self, max_concurrent_updates: int = 16) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat_id = (
            update.effective_chat.id if isinstance(update, Update) and update.effective_chat else 0
        )
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lock:
                try:
                    await coroutine
                except BaseException:
                    await finish_held(commit=False)
                    raise
                await finish_held()
        finally:
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:  # forget idle chats so the map stays small
                del self._waiting[chat_id]
                del self._locks[chat_id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
