"""What every handler checks before its own work, written once.

`for_clinician` finds the consented clinician behind the update and, when there is none,
asks them to /start first; `for_button` hands over the pressed query and its data, and ignores
updates that carry neither. Both keep the handler's signature explicit about what it gets.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, Update

from reflect_bot.bot.context import ReflectContext
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.db.models import Clinician
from reflect_bot.ui import texts

Handler = Callable[[Update, ReflectContext], Coroutine[Any, Any, None]]
ClinicianHandler = Callable[[Update, ReflectContext, Clinician], Awaitable[None]]
ButtonHandler = Callable[[Update, ReflectContext, CallbackQuery, str], Awaitable[None]]


def for_clinician(handler: ClinicianHandler) -> Handler:
    """Runs `handler` with the consented clinician; anyone else is asked to /start first
    (a pressed button is answered too, so its spinner stops)."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: ReflectContext) -> None:
        clinician = await current_clinician(update, context)
        if clinician is None:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await reply(update, context, texts.NEEDS_START)
            return
        await handler(update, context, clinician)

    return wrapped


def for_button(handler: ButtonHandler) -> Handler:
    """Runs `handler` with the pressed query and its callback data; updates without them
    (which the handler's pattern should never let through) are ignored."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: ReflectContext) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        await handler(update, context, query, query.data)

    return wrapped
