"""Reflections in chat: /reflect, /checkin, answers by button or text, /skip, /cancel, resume.

Each handler parses the update, calls one flow (`reflect_bot.flows.reflections`: one
transaction, no Telegram) and, only after it committed, says the outcome with words and
buttons from `reflect_bot.ui.reflection`. If the transaction fails, the clinician is told their
answer was not saved. Callback data: `reflect_bot.ui.callbacks` (the `rf:` family). Flow
diagram: flows/reflection_flow.mmd.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import privacy, suggestions
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.catalog import Role
from reflect_bot.db.models import Clinician
from reflect_bot.domain.journaling import AnswerKind
from reflect_bot.flows import reflections as flows
from reflect_bot.flows.reflections import (
    AlreadyOpen,
    Cancelled,
    CannotResume,
    Completed,
    Note,
    NothingOpen,
    ProgramChanged,
    Question,
    Saved,
    Seen,
    SetAside,
    Stale,
    StaleReason,
)
from reflect_bot.ui import goals as goals_ui
from reflect_bot.ui import reflection as ui
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import (
    REFLECTION,
    AnswerStep,
    DiscardAndStart,
    ResumeReflection,
    SkipStep,
    StartProgram,
    decode_reflection,
)

log = logging.getLogger(__name__)


class Told:
    """Already said: the answer could not be stored and the clinician was asked to resend."""


Outcome = (
    Question
    | Completed
    | Saved
    | Stale
    | SetAside
    | AlreadyOpen
    | ProgramChanged
    | NothingOpen
    | Cancelled
    | CannotResume
    | Told
)
Said = TypeVar("Said", bound=Outcome)

_STALE_NOTICES = {
    StaleReason.UNKNOWN: texts.STALE_BUTTON,
    StaleReason.ENDED: texts.BUTTON_REFLECTION_ENDED,
    StaleReason.ANSWERED: texts.BUTTON_ALREADY_ANSWERED,
}
_NOTES = {
    Note.NONE: "",
    Note.CANNOT_SKIP: texts.CANNOT_SKIP + "\n\n",
    Note.NOT_TEXT: texts.TEXT_ONLY_IN_REFLECTION,
    Note.DISCARDED: texts.DISCARDED,
}


def _cid(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


async def _run(
    update: Update, context: ReflectContext, call: Callable[[Seen | None], Awaitable[Said]]
) -> Said | Told:
    """Runs one flow with the open reflection the guard saw (if this update has not used it
    yet); if it cannot be stored, tells the clinician so (Told)."""
    # Taken once: after this flow's transaction it may be out of date.
    seen = context.take_open_reflection()
    try:
        return await call(seen)
    except IntegrityError:
        raise  # a conflicting write, not an unavailable database: the caller decides
    except SQLAlchemyError as exc:
        log.warning("a reflection step could not be stored: %s", type(exc).__name__)
        await reply(update, context, texts.ANSWER_NOT_SAVED)
        return Told()


# --------------------------------------------------------------------------- saying it


async def _send(update: Update, context: ReflectContext, outcome: Outcome) -> None:
    """Says what an outcome calls for (always after its transaction has committed), and
    answers the pressed button's query, if any, exactly once."""
    query = update.callback_query
    if query is not None and not isinstance(outcome, Stale | Saved):
        await query.answer()
    await _say(update, context, outcome)


async def _say(update: Update, context: ReflectContext, outcome: Outcome) -> None:
    if isinstance(outcome, Question):
        await _ask(update, context, outcome)
    elif isinstance(outcome, Completed):
        await _complete(update, context, outcome)
    elif isinstance(outcome, Saved):
        await _saved(update, context, outcome)
    elif isinstance(outcome, Stale):
        if update.callback_query is not None:
            await update.callback_query.answer(_STALE_NOTICES[outcome.reason])
    elif isinstance(outcome, SetAside):
        text, keyboard = ui.set_aside_notice(outcome.reflection_id, outcome.title)
        await reply(update, context, text, keyboard=keyboard)
    elif isinstance(outcome, AlreadyOpen):
        text, keyboard = ui.resume_or_discard(
            outcome.reflection_id,
            outcome.title,
            outcome.answered,
            outcome.program,
            outcome.delivery_id,
        )
        await reply(update, context, text, keyboard=keyboard)
    elif isinstance(outcome, ProgramChanged):
        await reply(update, context, texts.PROGRAM_CHANGED)
    elif isinstance(outcome, Cancelled):
        count = outcome.answers
        said = texts.CANCELLED.format(answers=texts.answers(count)) if count else None
        await reply(update, context, said or texts.CANCELLED_EMPTY)
    elif isinstance(outcome, CannotResume):
        await reply(update, context, texts.CANNOT_RESUME)
    # NothingOpen: each caller says what fits; Told: already said.


async def say_next(update: Update, context: ReflectContext, outcome: Outcome) -> None:
    """Says an outcome of another family's flow (a saved voice transcript's next question,
    say) without touching the pressed button's query: the caller answers it."""
    await _say(update, context, outcome)


def _question_text(question: Question, support_text: str | None) -> str:
    before = ""
    if question.other_set_aside is not None:
        before += ui.other_set_aside(question.other_set_aside)
    if question.welcome_back is not None:
        before += ui.welcome_back(question.welcome_back)
    if question.note is Note.UNREADABLE:
        before += ui.unreadable_hint(question.step)
    else:
        before += _NOTES[question.note]
    return ui.question_text(
        question.program,
        question.step,
        question.progress,
        opening=question.opening,
        before=before,
        support_offer=texts.support_offer(support_text) if question.offer_support else None,
    )


async def _ask(update: Update, context: ReflectContext, question: Question) -> None:
    keyboard = ui.question_keyboard(question.reflection_id, question.step)
    message = await reply(
        update,
        context,
        _question_text(question, services_of(context).settings.support_text),
        keyboard=keyboard,
        protect=True,  # once answered, the edit shows the clinician's rating or choice
    )
    if keyboard is not None:  # remembered only to take its buttons away once answered
        context.bot_data.questions.asked(
            question.reflection_id, question.step.id, message.message_id
        )


def _after(context: ReflectContext, work: Coroutine[Any, Any, None]) -> None:
    """Bookkeeping that need not hold up the chat: the clinician's next message may already
    be on its way. The application awaits these tasks when it stops."""
    context.application.create_task(work, name="reflection bookkeeping")


async def _saved(update: Update, context: ReflectContext, saved: Saved) -> None:
    """Confirms a stored answer: the question shows the choice, and the next step comes."""
    query = update.callback_query
    if query is not None:
        # Independent calls, sent together: the next question is what the clinician awaits.
        sends: list[Awaitable[object]] = [_say(update, context, saved.then), query.answer()]
        if isinstance(query.message, Message):
            sends.append(_show_choice(query.message, saved))
        results = await asyncio.gather(*sends, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return
    # Looked up before the next question replaces it as this reflection's latest.
    asked = saved.question_message_id or context.bot_data.questions.message_of(
        saved.reflection_id, saved.step.id
    )
    await _say(update, context, saved.then)
    chat = update.effective_chat
    if saved.answer.kind != AnswerKind.TEXT and asked and chat:
        # A typed "4" or /skip: the question's buttons no longer apply, so take them away.
        _after(context, _drop_keyboard(context, chat.id, asked))


async def _show_choice(message: Message, saved: Saved) -> None:
    shown = ui.answer_shown(message.text_html or "", saved.step, saved.answer)
    try:
        await message.edit_text(shown, parse_mode=ParseMode.HTML, reply_markup=None)
    except TelegramError as exc:  # e.g. the message is too old to edit; the answer is stored
        log.info("could not mark the answered question: %s", type(exc).__name__)


async def _drop_keyboard(context: ReflectContext, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as exc:
        log.info("could not remove an answered question's buttons: %s", type(exc).__name__)


async def _complete(update: Update, context: ReflectContext, completed: Completed) -> None:
    catalog = services_of(context).catalog

    def concept_name(slug: str) -> str:
        try:
            return catalog.concept(slug).name
        except KeyError:
            return slug

    await reply(
        update,
        context,
        ui.completed_text(completed.program, completed.seconds_spent),
        keyboard=ui.completion_keyboard(
            completed.program, concept_name, reflection_id=completed.reflection_id
        ),
    )
    if completed.reflection_id is not None:
        await suggestions.offer(
            update, context, reflection_id=completed.reflection_id, written=completed.written
        )
    if completed.follow_up is not None:
        text, keyboard = ui.follow_up_offer(completed.follow_up, completed.offer)
        await reply(update, context, text, keyboard=keyboard)
    for goal in completed.goals:
        text, keyboard = goals_ui.offer(goal.goal_id, goal.text)
        await reply(update, context, text, keyboard=keyboard, protect=True)


# --------------------------------------------------------------------------- entry points


async def start_reflection(
    update: Update,
    context: ReflectContext,
    *,
    clinician: Clinician,
    program_id: str,
    delivery_id: int | None = None,
) -> None:
    """Starts a program, or, when another reflection is open, asks to resume or discard it.

    `delivery_id` must be a prompt sent to this clinician. Callers that come from a button
    answer their own callback query.
    """
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda seen: flows.start(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            program_id=program_id,
            delivery_id=delivery_id,
            seen=seen,
        ),
    )
    await _say(update, context, outcome)  # never answers the caller's callback query


async def answer_text(update: Update, context: ReflectContext, clinician: Clinician) -> bool:
    """A typed message while a reflection may be open; False when none is (not handled)."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    typed = message.text
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda seen: flows.answer_typed(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            text=typed,
            message_id=message.message_id,
            seen=seen,
        ),
    )
    if isinstance(outcome, NothingOpen):
        return False
    if isinstance(outcome, Saved) and outcome.answer.kind == AnswerKind.TEXT:
        # Stored as sent; if it seems to identify a client, say so gently (privacy.py).
        await privacy.check_answer(
            update,
            context,
            clinician,
            reflection_id=outcome.reflection_id,
            step_id=outcome.step.id,
            text=typed,
        )
    await _send(update, context, outcome)
    return True


async def repeat_after_non_text(
    update: Update, context: ReflectContext, clinician: Clinician
) -> bool:
    """A sticker, photo, voice note… during a reflection: say text only, ask again."""
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda seen: flows.ask_again(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            seen=seen,
        ),
    )
    if isinstance(outcome, NothingOpen):
        return False
    await _send(update, context, outcome)
    return True


@for_clinician
async def checkin(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/checkin: the post-session check-in, straight away."""
    checkin = services_of(context).catalog.program_for(Role.CHECKIN)
    await start_reflection(update, context, clinician=clinician, program_id=checkin.id)


@for_clinician
async def reflect(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/reflect lists the programs; /reflect <program id> starts one."""
    catalog = services_of(context).catalog
    wanted = " ".join(context.args or []).strip()
    if wanted:
        program_id = wanted.lower()
        if program_id in catalog.programs:
            await start_reflection(update, context, clinician=clinician, program_id=program_id)
            return
        await reply(update, context, ui.unknown_program(wanted))
    programs = list(catalog.programs.values())
    await reply(update, context, ui.menu_text(programs), keyboard=ui.menu_keyboard(programs))


@for_clinician
async def skip(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/skip: passes over an optional question."""
    await _skip(update, context, clinician)


async def _skip(
    update: Update,
    context: ReflectContext,
    clinician: Clinician,
    pressed: SkipStep | None = None,
) -> None:
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda seen: flows.skip(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            pressed=None if pressed is None else (pressed.reflection_id, pressed.step_id),
            seen=seen,
        ),
    )
    if isinstance(outcome, NothingOpen):
        await reply(update, context, texts.NOTHING_TO_SKIP)
        return
    await _send(update, context, outcome)


@for_clinician
async def cancel(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/cancel: ends the reflection as incomplete; its answers are kept."""
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda seen: flows.cancel(
            services.sessions, services.clock, clinician_id=_cid(clinician), seen=seen
        ),
    )
    if isinstance(outcome, NothingOpen):
        await reply(update, context, texts.NOTHING_TO_CANCEL)
        return
    await _send(update, context, outcome)


async def resume(
    update: Update, context: ReflectContext, clinician: Clinician, reflection_id: int
) -> None:
    """Carries on with an open reflection, or takes up an incomplete one (within 7 days)."""
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda _seen: flows.resume(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            reflection_id=reflection_id,
        ),
    )
    await _send(update, context, outcome)


async def _discard_and_start(
    update: Update, context: ReflectContext, clinician: Clinician, pressed: DiscardAndStart
) -> None:
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda _seen: flows.discard_and_start(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            reflection_id=pressed.reflection_id,
            program_id=pressed.program_id,
            delivery_id=pressed.delivery_id,
        ),
    )
    await _send(update, context, outcome)


async def _answer_button(
    update: Update, context: ReflectContext, clinician: Clinician, pressed: AnswerStep
) -> None:
    services = services_of(context)
    outcome = await _run(
        update,
        context,
        lambda seen: flows.answer_pressed(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            reflection_id=pressed.reflection_id,
            step_id=pressed.step_id,
            value=pressed.value,
            seen=seen,
        ),
    )
    await _send(update, context, outcome)


@for_button
async def button(update: Update, context: ReflectContext, query: CallbackQuery, data: str) -> None:
    """Any rf: button. Unknown, stale or foreign buttons change nothing and say so kindly."""
    pressed = decode_reflection(data)
    try:
        clinician = await current_clinician(update, context)
    except SQLAlchemyError:
        # The database is unavailable; if this was an answer, it was not stored: say so.
        await _send(update, context, Told())
        await reply(update, context, texts.ANSWER_NOT_SAVED)
        return
    if clinician is None or pressed is None:
        await query.answer(texts.STALE_BUTTON)
    elif isinstance(pressed, AnswerStep):
        await _answer_button(update, context, clinician, pressed)
    elif isinstance(pressed, SkipStep):
        await _skip(update, context, clinician, pressed)
    elif isinstance(pressed, ResumeReflection):
        await resume(update, context, clinician, pressed.reflection_id)
    elif isinstance(pressed, DiscardAndStart):
        await _discard_and_start(update, context, clinician, pressed)
    elif (
        isinstance(pressed, StartProgram)
        and pressed.program_id in services_of(context).catalog.programs
    ):
        await query.answer()
        await start_reflection(update, context, clinician=clinician, program_id=pressed.program_id)
    else:
        await query.answer(texts.STALE_BUTTON)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    # Only new messages: editing an old "/checkin" must not start another check-in.
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("checkin", checkin, filters=commands),
        CommandHandler("reflect", reflect, filters=commands),
        CommandHandler("skip", skip, filters=commands),
        CommandHandler("cancel", cancel, filters=commands),
        CallbackQueryHandler(button, pattern=pattern(REFLECTION)),
    ]
