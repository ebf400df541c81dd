"""/forget, and the gentle check for identifying details in answers.

The use cases are in flows/privacy.py (drawn in flows/privacy_flow.mmd), the words and
buttons in ui/privacy.py, and the callback data (`pv:`) in ui/callbacks.py. Nothing a
clinician typed is ever logged or echoed here.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import sharing
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button
from reflect_bot.db.models import Clinician
from reflect_bot.domain.identifying import IdentifyingKind
from reflect_bot.flows import privacy as flow
from reflect_bot.flows import sharing as sharing_flow
from reflect_bot.ui import privacy as view
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import (
    PRIVACY,
    ConfirmForget,
    KeepAnswer,
    KeepEverything,
    ReplaceAnswer,
    decode_privacy,
)

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- /forget


async def forget(update: Update, context: ReflectContext) -> None:
    """/forget: says what would be erased, offers /export first, and asks to confirm."""
    try:
        clinician = await current_clinician(update, context)
        if clinician is None or clinician.id is None:
            await _forget_supervisor(update, context)
            return
        held = await flow.holdings(services_of(context).sessions, clinician_id=clinician.id)
    except SQLAlchemyError as exc:
        log.warning("could not prepare /forget: %s", type(exc).__name__)
        await reply(update, context, texts.FORGET_UNAVAILABLE)
        return
    text = view.forget_question(
        reflections=held.reflections,
        answers=held.answers,
        schedules=held.schedules,
        digests=held.digests,
    )
    await reply(update, context, text, keyboard=view.forget_keyboard(clinician.id))


async def _erase(
    update: Update, context: ReflectContext, query: CallbackQuery, pressed: ConfirmForget
) -> None:
    user = update.effective_user
    if user is None:
        return
    try:
        clinician = await current_clinician(update, context)
        if clinician is not None and clinician.id == pressed.clinician_id:
            # Withdraw everything shared (either side of a supervision link) first.
            await sharing.take_back(
                context,
                await sharing_flow.withdraw_everything(
                    services_of(context).sessions,
                    clinician_id=clinician.id,
                    telegram_user_id=user.id,
                ),
            )
        erased = await flow.erase(
            services_of(context).sessions,
            clinician_id=None if clinician is None else clinician.id,
            confirmed_for=pressed.clinician_id,
            telegram_user_id=user.id,
        )
    except SQLAlchemyError as exc:
        log.warning("could not erase a clinician: %s", type(exc).__name__)
        await query.answer()
        await reply(update, context, texts.FORGET_FAILED)
        return
    if not erased:
        # Someone else's confirmation, or already erased: change nothing, reveal nothing.
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await _drop_keyboard(query.message)
    await reply(update, context, texts.FORGOTTEN)


async def _forget_supervisor(update: Update, context: ReflectContext) -> None:
    """/forget from someone who is only a supervisor: their links end at once (nothing of
    theirs is kept but those), and everything shared with them is withdrawn."""
    user = update.effective_user
    if user is None:
        return
    ended = await sharing_flow.withdraw_everything(
        services_of(context).sessions, clinician_id=None, telegram_user_id=user.id
    )
    if not ended.withdrawals and not ended.tell_chat_ids:
        await reply(update, context, texts.NOTHING_TO_FORGET)
        return
    await sharing.take_back(context, ended)
    await reply(update, context, texts.SUPERVISOR_FORGOTTEN)


async def _keep(update: Update, context: ReflectContext, query: CallbackQuery) -> None:
    await query.answer()
    await _drop_keyboard(query.message)
    await reply(update, context, texts.FORGET_CALLED_OFF)


# --------------------------------------------------------------------------- identifying details


async def check_answer(
    update: Update,
    context: ReflectContext,
    clinician: Clinician,
    *,
    reflection_id: int,
    step_id: str,
    text: str,
) -> None:
    """After a text answer was stored: if it seems to name or identify a client, says so
    gently and offers to replace it. The answer stays stored as sent unless replaced.

    Never raises for a failed notice: the answer is already safe, which is what matters.
    """
    services = services_of(context)
    try:
        suspected = await flow.suspect_answer(
            services.sessions,
            services.clock,
            clinician=clinician,
            reflection_id=reflection_id,
            step_id=step_id,
            text=text,
        )
        if suspected is not None:
            await _offer_replacement(update, context, suspected.answer_id, suspected.kinds)
    except (SQLAlchemyError, TelegramError) as exc:
        log.info("could not offer a replacement: %s", type(exc).__name__)


async def _offer_replacement(
    update: Update, context: ReflectContext, answer_id: int, kinds: tuple[IdentifyingKind, ...]
) -> None:
    # The kinds found are named; the words that matched never are.
    log.info("identifying details suspected (kinds: %s)", ",".join(kinds))
    await reply(
        update,
        context,
        view.identifying_notice(kinds),
        keyboard=view.replacement_keyboard(answer_id),
    )


async def _ask_for_replacement(
    update: Update, context: ReflectContext, query: CallbackQuery, pressed: ReplaceAnswer
) -> None:
    services = services_of(context)
    try:
        clinician = await current_clinician(update, context)
        if clinician is None or clinician.id is None:
            await query.answer(texts.STALE_BUTTON)
            return
        waiting = await flow.wait_for_replacement(
            services.sessions, services.clock, clinician=clinician, answer_id=pressed.answer_id
        )
    except SQLAlchemyError as exc:
        log.warning("could not wait for a replacement: %s", type(exc).__name__)
        await query.answer()
        await reply(update, context, texts.REPLACE_NOT_SAVED)
        return
    if not waiting:
        await query.answer(texts.STALE_BUTTON)  # not theirs, or gone
        return
    await query.answer()
    await _drop_keyboard(query.message)
    await reply(update, context, texts.ASK_REPLACEMENT)


async def _keep_answer(query: CallbackQuery) -> None:
    await query.answer(texts.ANSWER_KEPT)
    await _drop_keyboard(query.message)


def awaits_replacement(clinician: Clinician, context: ReflectContext) -> bool:
    """True while a "Replace my answer" is waiting for the new text."""
    return flow.awaits_replacement(clinician, now=services_of(context).clock.now())


async def replacement_text(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """The typed replacement for an answer: stored in place of the old text, for good."""
    message = update.effective_message
    if message is None or message.text is None or clinician.id is None:
        return
    services = services_of(context)
    try:
        replaced = await flow.replace_answer(
            services.sessions, services.clock, clinician=clinician, typed=message.text
        )
    except SQLAlchemyError as exc:
        log.warning("a replacement could not be stored: %s", type(exc).__name__)
        await reply(update, context, texts.REPLACE_NOT_SAVED)
        return
    if replaced is None:
        await reply(update, context, texts.REPLACE_GONE)
        return
    await reply(update, context, texts.ANSWER_REPLACED)
    if replaced.kinds:
        try:
            await _offer_replacement(update, context, replaced.answer_id, replaced.kinds)
        except TelegramError as exc:
            log.info("could not offer a replacement: %s", type(exc).__name__)


# --------------------------------------------------------------------------- buttons


async def _drop_keyboard(message: object) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_reply_markup(None)
    except TelegramError as exc:
        log.info("could not remove a keyboard: %s", type(exc).__name__)


@for_button
async def button(update: Update, context: ReflectContext, query: CallbackQuery, data: str) -> None:
    """Any pv: button; unknown or foreign ones change nothing."""
    match decode_privacy(data):
        case KeepEverything():
            await _keep(update, context, query)
        case ConfirmForget() as pressed:
            await _erase(update, context, query, pressed)
        case ReplaceAnswer() as pressed:
            await _ask_for_replacement(update, context, query, pressed)
        case KeepAnswer():
            await _keep_answer(query)
        case None:
            await query.answer(texts.STALE_BUTTON)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("forget", forget, filters=commands),
        CallbackQueryHandler(button, pattern=pattern(PRIVACY)),
    ]
