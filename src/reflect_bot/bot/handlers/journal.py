"""/journal: recent reflections page by page, one opened in full, and edits of sent answers.

Journal messages echo what the clinician wrote, so they are sent with protect_content. The
use cases are in flows/journal.py; the pages and their buttons in ui/journal.py.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import privacy
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.flows import journal as flow
from reflect_bot.flows.journal import EditResult
from reflect_bot.ui import journal as view
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import JOURNAL, JournalPage, OpenReflection, decode_journal
from reflect_bot.ui.privacy import FlaggedAnswer, flagged_notice
from reflect_bot.ui.reflection import saved_reflection_row, shown_value

log = logging.getLogger(__name__)


@for_clinician
async def journal(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/journal: the newest reflections, five to a page."""
    found = await flow.page(services_of(context).sessions, clinician=clinician, offset=0)
    text, keyboard = view.page(
        offset=found.offset, size=found.size, total=found.total, listed=found.listed
    )
    await reply(update, context, text, keyboard=keyboard, protect=True)


@for_button
async def journal_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """jr: buttons: turn a page, or open one reflection. Foreign ids show nothing."""
    clinician = await current_clinician(update, context)
    pressed = decode_journal(data)
    if clinician is None or pressed is None:
        await query.answer(texts.STALE_BUTTON)
        return
    if isinstance(pressed, JournalPage):
        await _turn_page(context, query, clinician, pressed)
    else:
        await _open(update, context, query, clinician, pressed)


async def _turn_page(
    context: ReflectContext, query: CallbackQuery, clinician: Clinician, pressed: JournalPage
) -> None:
    found = await flow.page(
        services_of(context).sessions, clinician=clinician, offset=pressed.offset
    )
    text, keyboard = view.page(
        offset=found.offset, size=found.size, total=found.total, listed=found.listed
    )
    await query.answer()
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as exc:  # "message is not modified": pressed twice
            log.info("journal page not changed: %s", type(exc).__name__)


async def _open(
    update: Update,
    context: ReflectContext,
    query: CallbackQuery,
    clinician: Clinician,
    pressed: OpenReflection,
) -> None:
    services = services_of(context)
    opened = await flow.open_reflection(
        services.sessions,
        services.catalog,
        services.clock,
        clinician=clinician,
        reflection_id=pressed.reflection_id,
    )
    messages = (
        []
        if opened is None
        else view.entry(
            title=opened.title,
            started=opened.started,
            status=opened.status,
            seconds_spent=opened.seconds_spent,
            answers=opened.answers,
            shown=shown_value,
            supervisor_comments=opened.supervisor_comments,
        )
    )
    if opened is None or not messages:
        await query.answer(texts.STALE_BUTTON)
        return
    keyboard = (
        view.continue_keyboard(opened.reflection_id, resumable=opened.resumable)
        if opened.can_continue
        else InlineKeyboardMarkup([saved_reflection_row(opened.reflection_id)])
    )
    await query.answer()
    for position, text in enumerate(messages, start=1):
        last = position == len(messages)
        await reply(update, context, text, keyboard=keyboard if last else None, protect=True)
    flagged = [
        FlaggedAnswer(answer.id, opened.started.date().isoformat(), opened.title, answer.question)
        for _, answer in opened.answers
        if answer.identifying_flagged and answer.id is not None
    ]
    if flagged:
        # Where an answer kept with identifying details can be put right.
        text, replace = flagged_notice(flagged, before_export=False)
        await reply(update, context, text, keyboard=replace)


async def answer_edited(update: Update, context: ReflectContext) -> None:
    """An edited answer message updates the stored answer; the earlier version is kept."""
    message = update.edited_message
    if message is None or message.text is None:
        return
    clinician = await current_clinician(update, context)
    if clinician is None:
        return
    services = services_of(context)
    try:
        edited = await flow.edit_answer(
            services.sessions,
            services.catalog,
            services.clock,
            clinician=clinician,
            telegram_message_id=message.message_id,
            edited=message.text,
            shown=shown_value,
        )
    except SQLAlchemyError as exc:
        log.warning("an edit could not be stored: %s", type(exc).__name__)
        await reply(update, context, texts.EDIT_NOT_SAVED)
        return
    if edited is None:
        return
    if edited.result is EditResult.UPDATED:
        await reply(update, context, texts.ANSWER_UPDATED)
    elif edited.result is EditResult.NOT_UNDERSTOOD:
        await reply(update, context, texts.EDIT_NOT_UNDERSTOOD)
    if edited.written:
        # An edit is an answer too: if it now seems to identify a client, say so gently.
        await privacy.check_answer(
            update,
            context,
            clinician,
            reflection_id=edited.reflection_id,
            step_id=edited.step_id,
            text=message.text,
        )


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("journal", journal, filters=private & filters.UpdateType.MESSAGE),
        CallbackQueryHandler(journal_button, pattern=pattern(JOURNAL)),
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, answer_edited),
    ]
