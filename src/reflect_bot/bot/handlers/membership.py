"""Telegram tells the bot when a clinician blocks it and when they unblock it (my_chat_member).

Blocking stops their prompts at once, as a 403 on a send would, instead of at the next
prompt. Unblocking does not restart them: the clinician chose to block the bot, so they
choose when prompts come back, and we tell them how.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.flows import schedules as flows
from reflect_bot.ui import texts


async def membership_changed(update: Update, context: ReflectContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    clinician = await current_clinician(update, context)
    if clinician is None or clinician.id is None:
        return
    blocked_before = change.old_chat_member.status == ChatMember.BANNED
    blocked_now = change.new_chat_member.status == ChatMember.BANNED
    if blocked_now and not blocked_before:
        services = services_of(context)
        await flows.bot_blocked(services.sessions, services.clock, clinician_id=clinician.id)
    elif blocked_before and not blocked_now and not clinician.reachable:
        await reply(update, context, texts.UNBLOCKED)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    return [ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)]
