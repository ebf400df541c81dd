"""Checks every update passes before any handler runs: private chats only, each update once."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from reflect_bot.bot import texts
from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import updates

log = logging.getLogger(__name__)


async def private_only(update: Update, context: ReflectContext) -> None:
    """Outside private chats: say once that the bot is private-only, leave, and store nothing."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    told = services_of(context).groups_told
    if chat.id not in told:
        told.add(chat.id)
        try:
            if chat.type != ChatType.CHANNEL:
                await context.bot.send_message(
                    chat.id, texts.PRIVATE_ONLY, parse_mode=ParseMode.HTML
                )
            await context.bot.leave_chat(chat.id)
        except TelegramError as exc:
            log.info(
                "could not tell chat %s that the bot is private-only: %s",
                chat.id,
                type(exc).__name__,
            )
    if update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


async def once_per_update(update: Update, context: ReflectContext) -> None:
    """Stops a redelivered update (same update_id) before it is handled a second time."""
    services = services_of(context)
    try:
        async with transaction(services.sessions) as session:
            fresh = await updates.mark_processed(
                session, update_id=update.update_id, now=services.clock.now()
            )
    except SQLAlchemyError:
        # The database is down: let the handler run, so it can tell the clinician so.
        return
    if not fresh:
        log.info("update %s was delivered again; ignored", update.update_id)
        raise ApplicationHandlerStop
