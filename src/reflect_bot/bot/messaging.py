"""Sending helpers shared by every handler: HTML always, chat taken from the update."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from reflect_bot import transport
from reflect_bot.bot.context import ReflectContext
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import clinicians
from reflect_bot.transport import patiently


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
    # Retried after transient failures (at-least-once; see transport.py).
    return await patiently(
        lambda: context.bot.send_message(
            chat.id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            protect_content=protect,
            read_timeout=transport.READ_TIMEOUT,
        ),
        what="a reply",
    )


async def reply_photo(
    update: Update, context: ReflectContext, png: bytes, caption: str, *, protect: bool = False
) -> Message:
    """Sends a PNG with an HTML caption (≤ 1,024 characters) to the update's chat."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update has no chat to reply to")
    return await patiently(
        lambda: context.bot.send_photo(
            chat.id,
            png,
            caption=caption,
            parse_mode=ParseMode.HTML,
            protect_content=protect,
            read_timeout=transport.READ_TIMEOUT,
            write_timeout=transport.READ_TIMEOUT,
        ),
        what="a chart",
    )


async def current_clinician(update: Update, context: ReflectContext) -> Clinician | None:
    """The consented clinician behind this update, or None (loaded once per update)."""
    user = update.effective_user
    if user is None:
        return None
    if context.clinician is None or context.clinician.telegram_user_id != user.id:
        async with transaction(context.bot_data.services.sessions) as session:
            context.clinician = await clinicians.get_by_user(session, telegram_user_id=user.id)
    clinician = context.clinician
    if clinician is None or clinician.consented_at is None:
        return None
    return clinician
