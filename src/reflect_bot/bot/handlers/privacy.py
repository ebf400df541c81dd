"""/forget, and the gentle check for identifying details in answers.

Callback data (≤ 64 bytes; every id is checked against the pressing clinician):
  pv:f:<clinician>   erase everything (the /forget confirmation)
  pv:k               keep everything (/forget called off)
  pv:r:<answer>      replace an answer that seemed to hold identifying details
  pv:n:<answer>      keep that answer as it was sent

Replacing works through `Clinician.awaiting = "replace:<answer>"`: the next typed message
becomes the answer's new text (see fallback.route_text), and the old text is deleted for
good, earlier revisions included. Nothing a clinician typed is ever logged or echoed here.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import clinicians, privacy
from reflect_bot.domain.identifying import IdentifyingKind, find_identifying
from reflect_bot.domain.timezones import resolve
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

PREFIX = "pv"
REPLACE_AWAITING = "replace:"
# A replacement not sent within this time is no longer waited for: the next message is
# an ordinary one again.
REPLACE_WAIT = timedelta(minutes=30)


# --------------------------------------------------------------------------- /forget


async def forget(update: Update, context: ReflectContext) -> None:
    """/forget: says what would be erased, offers /export first, and asks to confirm."""
    try:
        clinician = await current_clinician(update, context)
        if clinician is None or clinician.id is None:
            await reply(update, context, texts.NOTHING_TO_FORGET)
            return
        async with transaction(services_of(context).sessions) as session:
            held = await privacy.holdings(session, clinician_id=clinician.id)
    except SQLAlchemyError as exc:
        log.warning("could not prepare /forget: %s", type(exc).__name__)
        await reply(update, context, texts.FORGET_UNAVAILABLE)
        return
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.FORGET_BUTTON, callback_data=f"{PREFIX}:f:{clinician.id}")],
            [InlineKeyboardButton(texts.KEEP_BUTTON, callback_data=f"{PREFIX}:k")],
        ]
    )
    text = texts.FORGET_CONFIRM.format(
        reflections=held.reflections,
        answers=texts.answers(held.answers),
        schedules=held.schedules,
        digests=held.digests,
    )
    await reply(update, context, text, keyboard=keyboard)


async def _erase(update: Update, context: ReflectContext, clinician_id: int) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    try:
        clinician = await current_clinician(update, context)
        if clinician is None or clinician.id != clinician_id:
            # Someone else's confirmation, or already erased: change nothing, reveal nothing.
            await query.answer(texts.STALE_BUTTON)
            return
        async with transaction(services_of(context).sessions) as session:
            await privacy.forget(session, clinician_id=clinician_id, telegram_user_id=user.id)
    except SQLAlchemyError as exc:
        log.warning("could not erase a clinician: %s", type(exc).__name__)
        await query.answer()
        await reply(update, context, texts.FORGET_FAILED)
        return
    log.info("clinician %s was forgotten at their request", clinician_id)
    await query.answer()
    await _drop_keyboard(query.message)
    await reply(update, context, texts.FORGOTTEN)


async def _keep(update: Update, context: ReflectContext) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await _drop_keyboard(query.message)
    await reply(update, context, texts.FORGET_CALLED_OFF)


# --------------------------------------------------------------------------- identifying details


def _today(clinician: Clinician, context: ReflectContext) -> date:
    now = services_of(context).clock.now()
    return now.astimezone(resolve(clinician.timezone)).date() if clinician.timezone else now.date()


def describe(kinds: tuple[IdentifyingKind, ...]) -> str:
    """"an email address and a phone number"."""
    names = [texts.IDENTIFYING_KINDS[kind.value] for kind in kinds]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


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
    kinds = find_identifying(text, today=_today(clinician, context))
    if not kinds or clinician.id is None:
        return
    try:
        async with transaction(services_of(context).sessions) as session:
            answer = await privacy.answer_to_step(
                session, reflection_id=reflection_id, step_id=step_id, clinician_id=clinician.id
            )
        if answer is None or answer.id is None:
            return
        await _offer_replacement(update, context, answer.id, kinds)
    except (SQLAlchemyError, TelegramError) as exc:
        log.info("could not offer a replacement: %s", type(exc).__name__)


async def _offer_replacement(
    update: Update, context: ReflectContext, answer_id: int, kinds: tuple[IdentifyingKind, ...]
) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.REPLACE_ANSWER_BUTTON, callback_data=f"{PREFIX}:r:{answer_id}"
                ),
                InlineKeyboardButton(
                    texts.KEEP_ANSWER_BUTTON, callback_data=f"{PREFIX}:n:{answer_id}"
                ),
            ]
        ]
    )
    # The kinds found are named; the words that matched never are.
    log.info("identifying details suspected (kinds: %s)", ",".join(kinds))
    await reply(
        update, context, texts.IDENTIFYING_FOUND.format(found=describe(kinds)), keyboard=keyboard
    )


async def _ask_for_replacement(update: Update, context: ReflectContext, answer_id: int) -> None:
    query = update.callback_query
    if query is None:
        return
    services = services_of(context)
    try:
        clinician = await current_clinician(update, context)
        if clinician is None or clinician.id is None:
            await query.answer(texts.STALE_BUTTON)
            return
        async with transaction(services.sessions) as session:
            answer = await privacy.owned_answer(
                session, answer_id=answer_id, clinician_id=clinician.id
            )
            if answer is None:
                await query.answer(texts.STALE_BUTTON)  # not theirs, or gone
                return
            await clinicians.set_awaiting(
                session,
                clinician=clinician,
                awaiting=f"{REPLACE_AWAITING}{answer_id}",
                now=services.clock.now(),
            )
    except SQLAlchemyError as exc:
        log.warning("could not wait for a replacement: %s", type(exc).__name__)
        await query.answer()
        await reply(update, context, texts.REPLACE_NOT_SAVED)
        return
    await query.answer()
    await _drop_keyboard(query.message)
    await reply(update, context, texts.ASK_REPLACEMENT)


async def _keep_answer(update: Update) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer(texts.ANSWER_KEPT)
    await _drop_keyboard(query.message)


def awaits_replacement(clinician: Clinician, context: ReflectContext) -> bool:
    """True while a "Replace my answer" is waiting for the new text."""
    if not (clinician.awaiting or "").startswith(REPLACE_AWAITING):
        return False
    return services_of(context).clock.now() - clinician.updated_at <= REPLACE_WAIT


async def replacement_text(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """The typed replacement for an answer: stored in place of the old text, for good."""
    message = update.effective_message
    if message is None or message.text is None or clinician.id is None:
        return
    typed = message.text
    services = services_of(context)
    now = services.clock.now()
    answer_id = _awaited_answer(clinician)
    try:
        async with transaction(services.sessions) as session:
            answer = (
                await privacy.owned_answer(
                    session, answer_id=answer_id, clinician_id=clinician.id
                )
                if answer_id is not None
                else None
            )
            if answer is not None:
                await privacy.replace_answer_text(session, answer=answer, text=typed, now=now)
            await clinicians.set_awaiting(session, clinician=clinician, awaiting=None, now=now)
    except SQLAlchemyError as exc:
        log.warning("a replacement could not be stored: %s", type(exc).__name__)
        await reply(update, context, texts.REPLACE_NOT_SAVED)
        return
    if answer is None or answer.id is None:
        await reply(update, context, texts.REPLACE_GONE)
        return
    await reply(update, context, texts.ANSWER_REPLACED)
    kinds = find_identifying(typed, today=_today(clinician, context))
    if kinds:
        try:
            await _offer_replacement(update, context, answer.id, kinds)
        except TelegramError as exc:
            log.info("could not offer a replacement: %s", type(exc).__name__)


def _awaited_answer(clinician: Clinician) -> int | None:
    raw = (clinician.awaiting or "").removeprefix(REPLACE_AWAITING)
    return int(raw) if raw.isdigit() else None


# --------------------------------------------------------------------------- buttons


async def _drop_keyboard(message: object) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_reply_markup(None)
    except TelegramError as exc:
        log.info("could not remove a keyboard: %s", type(exc).__name__)


async def button(update: Update, context: ReflectContext) -> None:
    """Any pv: button; unknown or foreign ones change nothing."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    number = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else None
    if action == "k" and len(parts) == 2:
        await _keep(update, context)
    elif action == "f" and number is not None:
        await _erase(update, context, number)
    elif action == "r" and number is not None:
        await _ask_for_replacement(update, context, number)
    elif action == "n" and number is not None:
        await _keep_answer(update)
    else:
        await query.answer(texts.STALE_BUTTON)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("forget", forget, filters=commands),
        CallbackQueryHandler(button, pattern=f"^{PREFIX}:"),
    ]
