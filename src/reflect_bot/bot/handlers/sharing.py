"""Sharing with a supervisor in chat: /supervisor (the invite link), the invite opened by
the supervisor (/start sv-<code>) and accepted, "Share with my supervisor", the supervisor's
replies as comments, /shared with Withdraw, and ending the link. Use cases: flows/sharing.py;
words and buttons: ui/sharing.py.

Taking a copy back: deleted while Telegram allows (48 h), otherwise edited to say the author
withdrew it. Shared copies are sent with protect_content.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable

from telegram import Bot, CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain.timezones import local_zone
from reflect_bot.flows import sharing as flow
from reflect_bot.flows.sharing import (
    Accepted,
    AlreadyLinked,
    AlreadyShared,
    Ended,
    InvitePreview,
    NoSupervisor,
    ToShare,
)
from reflect_bot.ui import sharing as ui
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import (
    SHARING,
    AcceptInvite,
    EndLink,
    ShareReflection,
    WithdrawShare,
    decode_sharing,
)
from reflect_bot.ui.goals import day

log = logging.getLogger(__name__)


@for_clinician
async def invite(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/supervisor: a one-time invite link for their supervisor (or the link they have)."""
    services = services_of(context)
    outcome = await flow.invite(services.sessions, services.clock, clinician=clinician)
    if isinstance(outcome, AlreadyLinked):
        keyboard = ui.end_keyboard(outcome.link_id)
        await reply(update, context, texts.SUPERVISOR_LINKED, keyboard=keyboard)
        return
    link = ui.invite_link(context.bot.username, flow.INVITE_PREFIX + outcome.code)
    await reply(update, context, ui.invite(link))


async def open_invite(update: Update, context: ReflectContext, code: str) -> None:
    """/start sv-<code>: whose supervisor they would become, and Accept. Nothing stored."""
    user = update.effective_user
    if user is None:
        return
    services = services_of(context)
    found = await flow.preview(
        services.sessions, services.clock, code=code, telegram_user_id=user.id
    )
    if not isinstance(found, InvitePreview):
        await reply(update, context, texts.INVITE_INVALID)
        return
    text, keyboard = ui.preview(found.clinician_name, code)
    await reply(update, context, text, keyboard=keyboard)


@for_clinician
async def list_shared(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/shared: what they shared with their supervisor, each with Withdraw."""
    items = await flow.shared(services_of(context).sessions, clinician=clinician)
    text, keyboard = ui.shared_list(items, local_zone(clinician.timezone))
    await reply(update, context, text, keyboard=keyboard, protect=True)


async def comment_reply(update: Update, context: ReflectContext) -> bool:
    """A supervisor's reply to a shared copy: passed on to its author and kept with it.
    False when the message replies to nothing shared with them (someone else handles it)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return False
    if message.reply_to_message is None:
        return False
    services = services_of(context)
    said = await flow.comment(
        services.sessions,
        services.clock,
        supervisor_user_id=user.id,
        chat_id=message.chat_id,
        replied_to=message.reply_to_message.message_id,
        text=message.text,
    )
    if said is None:
        return False
    owner_zone = local_zone(said.clinician_zone)
    await context.bot.send_message(
        said.clinician_chat_id,
        ui.comment(said.title, day(said.started_at.astimezone(owner_zone).date()), message.text),
        parse_mode=ParseMode.HTML,
        protect_content=True,
    )
    await reply(update, context, texts.COMMENT_PASSED_ON)
    return True


@for_button
async def sharing_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """sl: buttons. Anything not theirs (or spent) changes nothing and says so."""
    pressed = decode_sharing(data)
    user, chat = update.effective_user, update.effective_chat
    if pressed is None or user is None or chat is None:
        await query.answer(texts.STALE_BUTTON)
        return
    services = services_of(context)
    clinician = await current_clinician(update, context)
    if isinstance(pressed, AcceptInvite):
        accepted = await flow.accept(
            services.sessions,
            services.clock,
            code=pressed.code,
            telegram_user_id=user.id,
            chat_id=chat.id,
        )
        if not isinstance(accepted, Accepted):
            await query.answer(texts.INVITE_INVALID)
            return
        await query.answer()
        await _drop_buttons(query)
        name = accepted.clinician_name or texts.INVITE_SOMEONE
        await reply(update, context, texts.SUPERVISOR_ACCEPTED.format(name=_esc(name)))
        await context.bot.send_message(
            accepted.clinician_chat_id,
            texts.CLINICIAN_TOLD_ACCEPTED.format(name=_esc(user.full_name)),
            parse_mode=ParseMode.HTML,
            reply_markup=ui.end_keyboard(accepted.link_id),
        )
        return
    if isinstance(pressed, EndLink):
        ended = await flow.end_link(
            services.sessions,
            link_id=pressed.link_id,
            clinician_id=None if clinician is None else clinician.id,
            telegram_user_id=user.id,
        )
        if not isinstance(ended, Ended):
            await query.answer(texts.STALE_BUTTON)
            return
        await query.answer()
        await _drop_buttons(query)
        await take_back(context, ended)
        await reply(update, context, texts.LINK_ENDED)
        return
    if clinician is None:
        await query.answer(texts.STALE_BUTTON)
        return
    if isinstance(pressed, ShareReflection):
        await _share(update, context, query, clinician, pressed.reflection_id)
        return
    assert isinstance(pressed, WithdrawShare)
    withdrawn = await flow.withdraw(
        services.sessions, clinician=clinician, shared_id=pressed.shared_id
    )
    if not isinstance(withdrawn, Ended):
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await take_back(context, withdrawn)
    await reply(update, context, texts.WITHDRAWN)


async def _share(
    update: Update,
    context: ReflectContext,
    query: CallbackQuery,
    clinician: Clinician,
    reflection_id: int,
) -> None:
    services = services_of(context)
    ready = await flow.prepare_share(
        services.sessions, clinician=clinician, reflection_id=reflection_id
    )
    if isinstance(ready, NoSupervisor):
        await query.answer(texts.NO_SUPERVISOR, show_alert=True)
        return
    if isinstance(ready, AlreadyShared):
        await query.answer(texts.ALREADY_SHARED)
        return
    if not isinstance(ready, ToShare):
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    zone = local_zone(clinician.timezone)
    sent: list[int] = []
    try:
        for text in ui.shared_copy(ready.author, ready.reflection, zone):
            message = await context.bot.send_message(
                ready.supervisor_chat_id, text, parse_mode=ParseMode.HTML, protect_content=True
            )
            sent.append(message.message_id)
    except TelegramError as exc:
        log.warning("could not share a reflection: %s", type(exc).__name__)
        await _delete(context.bot, ready.supervisor_chat_id, sent)
        await reply(update, context, texts.SHARE_FAILED)
        return
    recorded = await flow.record_share(
        services.sessions,
        services.clock,
        clinician=clinician,
        link_id=ready.link_id,
        reflection_id=reflection_id,
        message_ids=sent,
    )
    if not recorded:  # the link ended meanwhile: take the copy straight back
        await _delete(context.bot, ready.supervisor_chat_id, sent)
        await reply(update, context, texts.SHARE_FAILED)
        return
    await reply(update, context, texts.SHARED_DONE)


async def take_back(context: ReflectContext, ended: Ended) -> None:
    """Deletes the supervisor's copies where Telegram allows, else marks them withdrawn;
    tells the other side of any link that ended."""
    now = services_of(context).clock.now()
    for withdrawal in ended.withdrawals:
        if flow.deletable(withdrawal, now):
            await _delete(context.bot, withdrawal.chat_id, withdrawal.message_ids)
        else:
            await _mark_withdrawn(context.bot, withdrawal.chat_id, withdrawal.message_ids)
    for chat_id in ended.tell_chat_ids:
        try:
            await context.bot.send_message(chat_id, texts.LINK_ENDED_OTHER)
        except TelegramError as exc:
            log.info("could not tell the other side a link ended: %s", type(exc).__name__)


async def _delete(bot: Bot, chat_id: int, message_ids: Iterable[int]) -> None:
    for message_id in message_ids:
        try:
            await bot.delete_message(chat_id, message_id)
        except TelegramError:
            # Too old (or already gone): say it was withdrawn instead.
            await _mark_withdrawn(bot, chat_id, [message_id])


async def _mark_withdrawn(bot: Bot, chat_id: int, message_ids: Iterable[int]) -> None:
    for message_id in message_ids:
        try:
            await bot.edit_message_text(
                texts.WITHDRAWN_COPY, chat_id, message_id, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            log.info("could not mark a shared copy withdrawn: %s", type(exc).__name__)


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as exc:
        log.info("could not remove buttons: %s", type(exc).__name__)


def _esc(text: str) -> str:
    return html.escape(text)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("supervisor", invite, filters=commands),
        CommandHandler("shared", list_shared, filters=commands),
        CallbackQueryHandler(sharing_button, pattern=pattern(SHARING)),
    ]
