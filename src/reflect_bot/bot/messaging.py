"""Sending helpers shared by every handler: HTML always, chat taken from the update."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from reflect_bot.bot.context import ReflectContext
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import clinicians


async def reply(
    update: Update,
    context: ReflectContext,
    text: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    protect: bool = False,
) -> Message:
    """Sends an HTML message to the update's chat (protect: no forwarding or saving)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update has no chat to reply to")
    return await context.bot.send_message(
        chat.id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard, protect_content=protect
    )


async def current_clinician(update: Update, context: ReflectContext) -> Clinician | None:
    """The consented clinician behind this update, or None."""
    user = update.effective_user
    if user is None:
        return None
    async with transaction(context.bot_data.services.sessions) as session:
        clinician = await clinicians.get_by_user(session, telegram_user_id=user.id)
    if clinician is None or clinician.consented_at is None:
        return None
    return clinician
