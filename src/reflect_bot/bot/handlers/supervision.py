"""Supervision in chat: "Take to supervision" (sv:m), /supervision (the brief, as messages
and a Markdown file), and logging a session (sv:g → kind → minutes). Use cases:
flows/supervision.py; words and buttons: ui/supervision.py; the file: render/brief.py.

The brief quotes the clinician's words: its messages are protected; the file is theirs to
keep, like /export's, so it is not.
"""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain.timezones import local_zone
from reflect_bot.flows import supervision as flow
from reflect_bot.render.brief import render_brief
from reflect_bot.ui import supervision as ui
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import (
    SUPERVISION,
    ChooseSessionKind,
    LogSession,
    MarkForSupervision,
    decode_supervision,
)


@for_clinician
async def show_brief(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/supervision: the brief of what is marked since the last session, and its file."""
    services = services_of(context)
    brief = await flow.brief(services.sessions, clinician=clinician)
    messages = ui.brief_messages(brief)
    for position, text in enumerate(messages, start=1):
        last = position == len(messages)
        keyboard = ui.log_keyboard() if last else None
        await reply(update, context, text, keyboard=keyboard, protect=True)
    if brief.is_empty or update.effective_chat is None:
        return
    today = services.clock.now().astimezone(local_zone(clinician.timezone)).date()
    await context.bot.send_document(
        update.effective_chat.id,
        document=render_brief(brief).encode("utf-8"),
        filename=ui.brief_filename(today),
        caption=texts.BRIEF_FILE_CAPTION,
        parse_mode=ParseMode.HTML,
    )


@for_button
async def supervision_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """sv: buttons. Someone else's reflection, or a value no button offers, changes nothing."""
    clinician = await current_clinician(update, context)
    pressed = decode_supervision(data)
    if clinician is None or pressed is None:
        await query.answer(texts.STALE_BUTTON)
        return
    services = services_of(context)
    if isinstance(pressed, MarkForSupervision):
        marked = await flow.mark(
            services.sessions,
            services.clock,
            clinician=clinician,
            reflection_id=pressed.reflection_id,
        )
        if isinstance(marked, flow.Stale):
            await query.answer(texts.STALE_BUTTON)
        else:
            await query.answer(
                texts.ALREADY_MARKED if marked.already else texts.MARKED_FOR_SUPERVISION
            )
        return
    if isinstance(pressed, ChooseSessionKind):
        await query.answer()
        text, keyboard = ui.minutes_keyboard(pressed.kind)
        await _replace(query, text, keyboard)
        return
    if isinstance(pressed, LogSession):
        logged = await flow.log_session(
            services.sessions,
            services.clock,
            clinician=clinician,
            kind=pressed.kind,
            minutes=pressed.minutes,
        )
        if isinstance(logged, flow.Stale):
            await query.answer(texts.STALE_BUTTON)
            return
        await query.answer()
        await _replace(query, ui.logged(logged.kind, logged.minutes, logged.cleared), None)
        return
    await query.answer()
    text, keyboard = ui.kind_keyboard()
    await reply(update, context, text, keyboard=keyboard)


async def _replace(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """The session log is one message that moves on with each choice."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):  # too old to edit: the choice still counted
            await query.message.edit_text(
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
            )


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("supervision", show_brief, filters=commands),
        CallbackQueryHandler(supervision_button, pattern=pattern(SUPERVISION)),
    ]
