"""What arrives outside any command: typed text routed by what the bot awaits, and non-text."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from reflect_bot.bot.context import ReflectContext
from reflect_bot.bot.handlers import goals, onboarding, privacy, reflections, sharing
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.ui import texts


async def route_text(update: Update, context: ReflectContext) -> None:
    """Typed text goes to whatever the bot is waiting for: a time zone, or a reflection answer."""
    try:
        clinician = await current_clinician(update, context)
        # A supervisor replying to a reflection shared with them (they need not be a clinician).
        if await sharing.comment_reply(update, context):
            return
    except SQLAlchemyError:
        # The database is unavailable: whatever this was, it was not stored; say so.
        await reply(update, context, texts.ANSWER_NOT_SAVED)
        return
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    if clinician.awaiting == "timezone":
        await onboarding.timezone_text(update, context, clinician)
        return
    if privacy.awaits_replacement(clinician, context):
        await privacy.replacement_text(update, context, clinician)
        return
    if goals.awaits_text(clinician, context):
        await goals.goal_text(update, context, clinician)
        return
    if await reflections.answer_text(update, context, clinician):
        return
    await reply(update, context, texts.NOTHING_IN_PROGRESS)


async def not_text(update: Update, context: ReflectContext) -> None:
    """Stickers, photos, voice notes and the like: kindly ask for text (and, during a
    reflection, ask its question again)."""
    try:
        clinician = await current_clinician(update, context)
    except SQLAlchemyError:
        clinician = None
    if clinician is not None and await reflections.repeat_after_non_text(
        update, context, clinician
    ):
        return
    await reply(update, context, texts.TEXT_ONLY)


async def unknown_command(update: Update, context: ReflectContext) -> None:
    """A command no handler took."""
    await reply(update, context, texts.UNKNOWN_COMMAND)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private_message = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(private_message & filters.TEXT & ~filters.COMMAND, route_text),
        MessageHandler(private_message & filters.COMMAND, unknown_command),
        MessageHandler(private_message & ~filters.TEXT, not_text),
    ]
