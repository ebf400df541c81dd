"""Which message asked each open reflection's current step, so its buttons can be taken
away when the clinician types the answer instead of pressing one.

Not part of any promise (a stale button still carries its step and is answered kindly), so
it need not cost the clinician's answer a transaction: the bot that sent a question keeps its
message in memory and writes what it sent to the database in batches, at most `delay`
seconds later, in one transaction. Another instance, or this one after a restart, reads it
from the reflection's row; a question asked less than `delay` seconds before an answer that
reaches another instance keeps its buttons. A batch that cannot be written is logged and
dropped, as the single write it replaces was (issue #21: one transaction per answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections import OrderedDict

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.flows.reflections import AskedQuestion, remember_questions

log = logging.getLogger(__name__)

_KEPT = 10_000  # questions remembered in memory: far more than clinicians answering at once


class QuestionMessages:
    """One per running bot (bot_data); `close()` writes what is pending when it stops."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, delay: float = 1.0) -> None:
        self._sessions = sessions
        self._delay = delay
        self._asked: OrderedDict[int, AskedQuestion] = OrderedDict()
        self._pending: dict[int, AskedQuestion] = {}
        self._writer: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()

    def asked(self, reflection_id: int, step_id: str, message_id: int) -> None:
        """Notes that `message_id` asked `step_id` of the reflection; written soon."""
        question = AskedQuestion(reflection_id, step_id, message_id)
        self._asked[reflection_id] = question
        self._asked.move_to_end(reflection_id)
        if len(self._asked) > _KEPT:
            self._asked.popitem(last=False)
        self._pending[reflection_id] = question
        if self._writer is None or self._writer.done():
            # A fresh context: the update being handled may hold a transaction (ContextVar)
            # that a batch written for many clinicians must not join.
            self._writer = asyncio.get_running_loop().create_task(
                self._write_soon(), name="question messages", context=contextvars.Context()
            )

    def message_of(self, reflection_id: int, step_id: str) -> int | None:
        """The message this bot sent to ask that step, if it remembers it."""
        question = self._asked.get(reflection_id)
        if question is None or question.step_id != step_id:
            return None
        return question.message_id

    async def close(self) -> None:
        """Writes what is pending now (the bot is stopping)."""
        self._closing.set()
        if self._writer is not None:
            await self._writer
        await self._write()

    async def _write_soon(self) -> None:
        while self._pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._delay)
            await self._write()

    async def _write(self) -> None:
        batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            await remember_questions(self._sessions, list(batch.values()))
        except SQLAlchemyError as exc:
            log.warning("could not remember %d questions: %s", len(batch), type(exc).__name__)
