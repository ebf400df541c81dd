"""Reflections in chat: /reflect, /checkin, answers by button or text, /skip, /cancel, resume.

Every step runs the same way: one transaction reads the reflection, stores the answer and
moves `current_step` on; only after it commits does the bot reply. If the commit fails the
clinician is told their answer was not saved. The state lives in the reflection row, so
after a restart the next message simply continues where the row says. Flow diagrams:
reflection_flow.mmd beside this file.

Callback data (≤ 64 bytes, always naming the reflection so stale or foreign buttons are
recognised):
  rf:a:<reflection>:<step>:<value>   answer a rating or choice
  rf:s:<reflection>:<step>           skip an optional step
  rf:r:<reflection>                  carry on / resume
  rf:d:<reflection>:<program>[:<delivery>]  discard it and start a program
  rf:n:<program>                     start a program (menu, follow-up offer)
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import privacy
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.catalog import Program, Role, Step, StepKind
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Reflection
from reflect_bot.db.repositories import reflections as store
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer, ReflectionStatus
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

PREFIX = "rf"
CONCEPT_PREFIX = "concept:"  # the concept card handler (another module) owns this family
MAX_CALLBACK_BYTES = 64


# --------------------------------------------------------------------------- callback data


def _data(*parts: object) -> str:
    data = ":".join([PREFIX, *(str(part) for part in parts)])
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:  # pragma: no cover - ids are short
        raise ValueError("callback data over 64 bytes")
    return data


def answer_data(reflection_id: int, step_id: str, value: object) -> str:
    return _data("a", reflection_id, step_id, value)


def skip_data(reflection_id: int, step_id: str) -> str:
    return _data("s", reflection_id, step_id)


def resume_data(reflection_id: int) -> str:
    return _data("r", reflection_id)


def start_data(program_id: str) -> str:
    return _data("n", program_id)


def _discard_data(reflection_id: int, program_id: str, delivery_id: int | None) -> str:
    if delivery_id is not None:
        with_delivery = _data("d", reflection_id, program_id, delivery_id)
        if len(with_delivery) <= MAX_CALLBACK_BYTES:
            return with_delivery
    return _data("d", reflection_id, program_id)


# --------------------------------------------------------------------------- rendering


def question_text(
    program: Program,
    step: Step,
    progress: journaling.Progress,
    *,
    opening: bool = False,
    before: str = "",
) -> str:
    """The message that asks `step` (HTML; catalog text escaped like anything else)."""
    parts = [before]
    if opening:
        parts.append(
            texts.REFLECTION_OPENING.format(
                title=html.escape(program.title), intro=html.escape(program.intro)
            )
        )
    parts.append(texts.QUESTION.format(progress=progress, question=html.escape(step.question)))
    if step.hint:
        parts.append(texts.QUESTION_HINT.format(hint=html.escape(step.hint)))
    if step.kind is StepKind.RATING and step.low_label and step.high_label:
        parts.append(
            texts.RATING_SCALE.format(
                low=html.escape(step.low_label), high=html.escape(step.high_label)
            )
        )
    if step.optional:
        parts.append(texts.OPTIONAL_QUESTION)
    return "".join(parts)


def question_keyboard(reflection_id: int, step: Step) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    if step.kind is StepKind.RATING:
        rows.append(
            [
                InlineKeyboardButton(str(n), callback_data=answer_data(reflection_id, step.id, n))
                for n in range(1, 6)
            ]
        )
    elif step.kind is StepKind.CHOICE:
        rows.extend(
            [InlineKeyboardButton(o.label, callback_data=answer_data(reflection_id, step.id, o.id))]
            for o in step.options
        )
    if step.optional:
        rows.append(
            [
                InlineKeyboardButton(
                    texts.SKIP_BUTTON, callback_data=skip_data(reflection_id, step.id)
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def shown_value(step: Step | None, answer: journaling.GivenAnswer) -> str:
    """How a rating, choice or skip reads back (plain text: escape before use in HTML)."""
    if answer.kind == AnswerKind.RATING:
        return texts.RATING_SHOWN.format(rating=answer.rating)
    if answer.kind == AnswerKind.CHOICE and answer.choice is not None:
        if step is not None and answer.choice in step.option_ids:
            return step.option(answer.choice).label
        return answer.choice
    if answer.kind == AnswerKind.SKIPPED:
        return texts.SKIPPED_SHOWN
    return answer.text or ""


def completion_keyboard(
    program: Program, concept_name: Callable[[str], str]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(concept_name(slug), callback_data=CONCEPT_PREFIX + slug)]
            for slug in program.concepts
        ]
    )


# --------------------------------------------------------------------------- what to say


@dataclass
class Question:
    """Ask this step (after `before`, e.g. a hint to tap a button)."""

    program: Program
    reflection_id: int
    step: Step
    progress: journaling.Progress
    opening: bool = False
    before: str = ""

    def text(self) -> str:
        return question_text(
            self.program, self.step, self.progress, opening=self.opening, before=self.before
        )


@dataclass
class Completed:
    program: Program
    seconds_spent: int
    answers: list[journaling.GivenAnswer] = field(default_factory=list)


@dataclass
class Reply:
    """A plain message (e.g. "nothing to skip"), optionally with buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass
class Stale:
    """A button that no longer applies: answer the query kindly, change nothing."""

    notice: str = texts.STALE_BUTTON


@dataclass
class Saved:
    """An answer was stored: show the pressed/typed value, then what comes next."""

    step: Step
    answer: ReadAnswer
    reflection_id: int
    question_message_id: int | None
    then: Question | Completed


@dataclass
class Told:
    """Already said: the answer could not be stored and the clinician was asked to resend."""


Outcome = Question | Completed | Reply | Stale | Saved | Told
Work = Callable[[AsyncSession], Awaitable[Outcome | None]]


# --------------------------------------------------------------------------- the transaction


def _cid(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


def _rid(reflection: Reflection) -> int:
    if reflection.id is None:  # pragma: no cover
        raise ValueError("reflection is not stored")
    return reflection.id


def _program_of(context: ReflectContext, reflection: Reflection) -> tuple[Program, Step] | None:
    """The program and current step, or None when the content no longer has them."""
    catalog = services_of(context).catalog
    try:
        program = catalog.program(reflection.program_id)
        step = program.step(reflection.current_step or "")
    except KeyError:
        return None
    return program, step


async def _question(
    session: AsyncSession,
    context: ReflectContext,
    reflection: Reflection,
    *,
    opening: bool = False,
    before: str = "",
) -> Outcome:
    """Asks the reflection's current step again (or closes it if the content changed)."""
    located = _program_of(context, reflection)
    if located is None:
        await store.finish(
            session,
            reflection=reflection,
            status=ReflectionStatus.INCOMPLETE,
            now=services_of(context).clock.now(),
        )
        return Reply(texts.PROGRAM_CHANGED)
    program, step = located
    given = await store.given_answers(session, reflection_id=_rid(reflection))
    return Question(
        program,
        _rid(reflection),
        step,
        journaling.progress(program, step, given),
        opening=opening,
        before=before,
    )


async def _open_reflection(
    session: AsyncSession, context: ReflectContext, clinician: Clinician, now: datetime
) -> tuple[Reflection | None, Reflection | None]:
    """The clinician's open reflection, from the guard's query when this update has not
    looked yet (one query fewer on every answer), else from the database."""
    return await store.open_reflection(
        session,
        clinician_id=_cid(clinician),
        now=now,
        stale_before=now - journaling.STALE_AFTER,
        seen=context.take_open_reflection(),
    )


def _set_aside_notice(reflection: Reflection) -> Reply:
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.RESUME_BUTTON, callback_data=resume_data(_rid(reflection)))]]
    )
    title = html.escape(reflection.program_title)
    return Reply(texts.SET_ASIDE_AFTER_A_DAY.format(title=title), keyboard)


async def _answer_step(
    session: AsyncSession,
    context: ReflectContext,
    clinician: Clinician,
    *,
    read: Callable[[Step], ReadAnswer | None],
    unreadable: Callable[[Step], str],
    reflection_id: int | None = None,
    step_id: str | None = None,
    telegram_message_id: int | None = None,
) -> Outcome | None:
    """Stores an answer to the current step and works out what comes next.

    `reflection_id`/`step_id` come from a button: the answer counts only if that reflection
    is open and still waiting for that step. None when nothing is in progress.
    """
    now = services_of(context).clock.now()
    if reflection_id is None:
        reflection, set_aside = await _open_reflection(session, context, clinician, now)
        if set_aside is not None:
            return _set_aside_notice(set_aside)
        if reflection is None:
            return None
    else:
        reflection = await store.get_owned(
            session, reflection_id=reflection_id, clinician_id=_cid(clinician)
        )
        if reflection is None:
            return Stale()  # not theirs, or gone: do nothing at all
        if reflection.status == ReflectionStatus.IN_PROGRESS and journaling.is_stale(
            reflection.last_activity_at, now
        ):
            await store.finish(
                session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=now
            )
            return _set_aside_notice(reflection)
        if reflection.status != ReflectionStatus.IN_PROGRESS:
            return Stale(texts.BUTTON_REFLECTION_ENDED)
        if reflection.current_step != step_id:
            return Stale(texts.BUTTON_ALREADY_ANSWERED)

    located = _program_of(context, reflection)
    if located is None:
        return await _question(session, context, reflection)
    program, step = located
    answer = read(step)
    if answer is None:
        if reflection_id is not None:
            return Stale()  # a button this step never offered
        return await _question(session, context, reflection, before=unreadable(step))

    given: list[journaling.GivenAnswer] = list(
        await store.given_answers(session, reflection_id=_rid(reflection))
    )
    following = journaling.next_step(program, step.id, [*given, answer])
    question_message_id = reflection.question_message_id
    stored = await store.save_answer(
        session,
        reflection=reflection,
        step_id=step.id,
        position=journaling.position_of(program, step.id),
        question=step.question,
        answer=answer,
        choice_label=step.option(answer.choice).label if answer.choice else None,
        next_step_id=following.id if following else None,
        now=now,
        telegram_message_id=telegram_message_id,
    )
    if not stored:
        return Stale(texts.BUTTON_ALREADY_ANSWERED)
    given.append(answer)
    then: Question | Completed
    if following is None:
        then = Completed(program, reflection.seconds_spent, given)
    else:
        then = Question(
            program, _rid(reflection), following, journaling.progress(program, following, given)
        )
    return Saved(step, answer, _rid(reflection), question_message_id, then)


# --------------------------------------------------------------------------- sending


async def _send(update: Update, context: ReflectContext, outcome: Outcome) -> None:
    """Says what an outcome calls for (always after its transaction has committed), and
    answers the pressed button's query, if any, exactly once."""
    query = update.callback_query
    if query is not None and isinstance(outcome, Question | Completed | Reply | Told):
        await query.answer()
    await _say(update, context, outcome)


async def _say(update: Update, context: ReflectContext, outcome: Outcome) -> None:
    if isinstance(outcome, Question):
        await _ask(update, context, outcome)
    elif isinstance(outcome, Completed):
        await _complete(update, context, outcome)
    elif isinstance(outcome, Reply):
        await reply(update, context, outcome.text, keyboard=outcome.keyboard)
    elif isinstance(outcome, Stale):
        if update.callback_query is not None:
            await update.callback_query.answer(outcome.notice)
    elif isinstance(outcome, Saved):
        await _saved(update, context, outcome)


async def _ask(update: Update, context: ReflectContext, question: Question) -> None:
    keyboard = question_keyboard(question.reflection_id, question.step)
    message = await reply(
        update,
        context,
        question.text(),
        keyboard=keyboard,
        protect=True,  # once answered, the edit shows the clinician's rating or choice
    )
    if keyboard is not None:  # remembered only to take its buttons away once answered
        _after(context, _remember_question(context, question, message))


def _after(context: ReflectContext, work: Coroutine[Any, Any, None]) -> None:
    """Bookkeeping that need not hold up the chat: the clinician's next message may already
    be on its way. The application awaits these tasks when it stops."""
    context.application.create_task(work, name="reflection bookkeeping")


async def _remember_question(context: ReflectContext, question: Question, message: Message) -> None:
    # Not part of any promise: if this write fails, buttons still carry their step, and if
    # the next answer came first, the conditional update simply matches nothing.
    try:
        async with transaction(services_of(context).sessions) as session:
            await store.set_question_message(
                session,
                reflection_id=question.reflection_id,
                step_id=question.step.id,
                message_id=message.message_id,
            )
    except SQLAlchemyError:
        log.warning("could not remember the question of reflection %s", question.reflection_id)


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
    await _say(update, context, saved.then)
    chat = update.effective_chat
    if saved.answer.kind != AnswerKind.TEXT and saved.question_message_id and chat:
        # A typed "4" or /skip: the question's buttons no longer apply, so take them away.
        _after(context, _drop_keyboard(context, chat.id, saved.question_message_id))


async def _show_choice(message: Message, saved: Saved) -> None:
    value = html.escape(shown_value(saved.step, saved.answer))
    shown = (message.text_html or "") + texts.ANSWER_SHOWN.format(value=value)
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
    program = completed.program

    def concept_name(slug: str) -> str:
        try:
            return catalog.concept(slug).name
        except KeyError:
            return slug

    minutes = texts.minutes(journaling.cpd_minutes(completed.seconds_spent))
    text = texts.COMPLETED.format(title=html.escape(program.title), minutes=minutes)
    await reply(
        update,
        context,
        text + texts.COMPLETED_CONCEPTS,
        keyboard=completion_keyboard(program, concept_name),
    )
    follow_up = program.follow_up(journaling.condition_answers(completed.answers))
    if follow_up is None or follow_up.program not in catalog.programs:
        return
    offered = catalog.program(follow_up.program)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.FOLLOW_UP_BUTTON.format(title=offered.title),
                    callback_data=start_data(offered.id),
                )
            ]
        ]
    )
    await reply(update, context, html.escape(follow_up.offer or offered.purpose), keyboard=keyboard)


async def _run(update: Update, context: ReflectContext, work: Work) -> Outcome | None:
    """Runs one transaction; if it cannot be stored, tells the clinician so (Told)."""
    try:
        async with transaction(services_of(context).sessions) as session:
            return await work(session)
    except IntegrityError:
        raise  # a conflicting write, not an unavailable database: the caller decides
    except SQLAlchemyError as exc:
        log.warning("a reflection step could not be stored: %s", type(exc).__name__)
        await reply(update, context, texts.ANSWER_NOT_SAVED)
        return Told()
    finally:
        context.take_open_reflection()  # what the guard saw may be out of date from here on


# --------------------------------------------------------------------------- entry points


async def _begin(
    session: AsyncSession,
    clinician: Clinician,
    program: Program,
    delivery_id: int | None,
    *,
    now: datetime,
    before: str = "",
) -> Question:
    """Opens a new reflection on the program and returns its first question."""
    first = journaling.first_step(program)
    started = await store.start(
        session,
        clinician_id=_cid(clinician),
        program_id=program.id,
        program_title=program.title,
        first_step_id=first.id,
        now=now,
        delivery_id=delivery_id,
    )
    return Question(
        program,
        _rid(started),
        first,
        journaling.progress(program, first, []),
        opening=True,
        before=before,
    )


async def start_reflection(
    update: Update,
    context: ReflectContext,
    *,
    clinician: Clinician,
    program_id: str,
    delivery_id: int | None = None,
) -> None:
    """Starts a program, or, when another reflection is open, asks to resume or discard it.

    Callers that come from a button answer their own callback query.
    """
    services = services_of(context)
    program = services.catalog.program(program_id)

    async def work(session: AsyncSession) -> Outcome:
        now = services.clock.now()
        open_one, _ = await _open_reflection(session, context, clinician, now)
        if open_one is not None:
            return await _ask_resume_or_discard(session, open_one, program, delivery_id)
        return await _begin(session, clinician, program, delivery_id, now=now)

    try:
        outcome = await _run(update, context, work)
    except IntegrityError:  # pragma: no cover - another process opened one a moment ago
        outcome = await _run(update, context, work)
    if outcome is not None:
        await _say(update, context, outcome)  # never answers the caller's callback query


async def _ask_resume_or_discard(
    session: AsyncSession,
    open_one: Reflection,
    program: Program,
    delivery_id: int | None,
) -> Reply:
    answered = len(await store.given_answers(session, reflection_id=_rid(open_one)))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.CARRY_ON_BUTTON.format(title=open_one.program_title),
                    callback_data=resume_data(_rid(open_one)),
                )
            ],
            [
                InlineKeyboardButton(
                    texts.DISCARD_BUTTON.format(title=program.title),
                    callback_data=_discard_data(_rid(open_one), program.id, delivery_id),
                )
            ],
        ]
    )
    text = texts.ALREADY_OPEN.format(
        title=html.escape(open_one.program_title),
        answered=answered,
        new_title=html.escape(program.title),
    )
    return Reply(text, keyboard)


async def answer_text(update: Update, context: ReflectContext, clinician: Clinician) -> bool:
    """A typed message while a reflection may be open; False when none is (not handled)."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    typed = message.text

    def unreadable(step: Step) -> str:
        if step.kind is StepKind.RATING:
            return texts.TYPE_A_RATING
        if step.kind is StepKind.CHOICE:
            return texts.TYPE_A_CHOICE
        return texts.TYPE_SOME_TEXT

    async def work(session: AsyncSession) -> Outcome | None:
        return await _answer_step(
            session,
            context,
            clinician,
            read=lambda step: journaling.read_typed_answer(step, typed),
            unreadable=unreadable,
            telegram_message_id=message.message_id,
        )

    outcome = await _run(update, context, work)
    if outcome is None:
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

    async def work(session: AsyncSession) -> Outcome | None:
        now = services_of(context).clock.now()
        reflection, set_aside = await _open_reflection(session, context, clinician, now)
        if reflection is None:
            return None if set_aside is None else _set_aside_notice(set_aside)
        return await _question(session, context, reflection, before=texts.TEXT_ONLY_IN_REFLECTION)

    outcome = await _run(update, context, work)
    if outcome is None:
        return False
    await _send(update, context, outcome)
    return True


async def checkin(update: Update, context: ReflectContext) -> None:
    """/checkin: the post-session check-in, straight away."""
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    checkin_id = services_of(context).catalog.program_for(Role.CHECKIN).id
    await start_reflection(update, context, clinician=clinician, program_id=checkin_id)


async def reflect(update: Update, context: ReflectContext) -> None:
    """/reflect lists the programs; /reflect <program id> starts one."""
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    catalog = services_of(context).catalog
    wanted = " ".join(context.args or []).strip()
    if wanted:
        program_id = wanted.lower()
        if program_id in catalog.programs:
            await start_reflection(update, context, clinician=clinician, program_id=program_id)
            return
        await reply(update, context, texts.UNKNOWN_PROGRAM.format(typed=html.escape(wanted[:64])))
    programs = list(catalog.programs.values())
    await reply(update, context, _menu_text(programs), keyboard=_menu(programs))


def _menu_text(programs: Iterable[Program]) -> str:
    lines = [
        texts.REFLECT_MENU_LINE.format(
            title=html.escape(p.title), minutes=p.duration_minutes, purpose=html.escape(p.purpose)
        )
        for p in programs
    ]
    return texts.REFLECT_MENU.format(programs="\n\n".join(lines))


def _menu(programs: Iterable[Program]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.REFLECT_MENU_BUTTON.format(title=p.title, minutes=p.duration_minutes),
                    callback_data=start_data(p.id),
                )
            ]
            for p in programs
        ]
    )


async def skip(update: Update, context: ReflectContext) -> None:
    """/skip: passes over an optional question."""
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    await _skip(update, context, clinician)


async def _skip(
    update: Update,
    context: ReflectContext,
    clinician: Clinician,
    *,
    reflection_id: int | None = None,
    step_id: str | None = None,
) -> None:
    def read(step: Step) -> ReadAnswer | None:
        return ReadAnswer(step.id, AnswerKind.SKIPPED) if step.optional else None

    async def work(session: AsyncSession) -> Outcome | None:
        return await _answer_step(
            session,
            context,
            clinician,
            read=read,
            unreadable=lambda _step: texts.CANNOT_SKIP + "\n\n",
            reflection_id=reflection_id,
            step_id=step_id,
        )

    outcome = await _run(update, context, work)
    if outcome is None and update.callback_query is None:
        outcome = Reply(texts.NOTHING_TO_SKIP)
    if outcome is not None:
        await _send(update, context, outcome)


async def cancel(update: Update, context: ReflectContext) -> None:
    """/cancel: ends the reflection as incomplete; its answers are kept."""
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    services = services_of(context)

    async def work(session: AsyncSession) -> Outcome:
        now = services.clock.now()
        reflection, _ = await _open_reflection(session, context, clinician, now)
        if reflection is None:
            return Reply(texts.NOTHING_TO_CANCEL)
        count = len(await store.given_answers(session, reflection_id=_rid(reflection)))
        if count == 0:  # nothing worth a journal entry
            await store.discard(session, reflection=reflection, now=now)
            return Reply(texts.CANCELLED_EMPTY)
        await store.finish(
            session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=now
        )
        return Reply(texts.CANCELLED.format(answers=texts.answers(count)))

    outcome = await _run(update, context, work)
    if outcome is not None:
        await _send(update, context, outcome)


async def resume(
    update: Update, context: ReflectContext, clinician: Clinician, reflection_id: int
) -> None:
    """Carries on with an open reflection, or takes up an incomplete one (within 7 days)."""
    services = services_of(context)

    async def work(session: AsyncSession) -> Outcome:
        now = services.clock.now()
        reflection = await store.get_owned(
            session, reflection_id=reflection_id, clinician_id=_cid(clinician)
        )
        if reflection is None:
            return Stale()
        if reflection.status == ReflectionStatus.IN_PROGRESS:
            if journaling.is_stale(reflection.last_activity_at, now):
                # Asking for it explicitly counts as taking it up again; the day away is
                # not time spent.
                await store.resume(session, reflection=reflection, now=now)
            return await _question(session, context, reflection, before=_welcome(reflection))
        if not journaling.can_resume(reflection.status, reflection.last_activity_at, now):
            return Reply(texts.CANNOT_RESUME)
        before = _welcome(reflection)
        other = await store.get_open(session, clinician_id=_cid(clinician))
        if other is not None:
            await store.finish(
                session, reflection=other, status=ReflectionStatus.INCOMPLETE, now=now
            )
            before = texts.OTHER_SET_ASIDE.format(title=html.escape(other.program_title)) + before
        await store.resume(session, reflection=reflection, now=now)
        return await _question(session, context, reflection, before=before)

    outcome = await _run(update, context, work)
    if outcome is not None:
        await _send(update, context, outcome)


def _welcome(reflection: Reflection) -> str:
    return texts.WELCOME_BACK.format(title=html.escape(reflection.program_title))


async def _discard_and_start(
    update: Update,
    context: ReflectContext,
    clinician: Clinician,
    *,
    reflection_id: int,
    program_id: str,
    delivery_id: int | None,
) -> None:
    services = services_of(context)
    if program_id not in services.catalog.programs:
        await _send(update, context, Stale())
        return
    program = services.catalog.program(program_id)

    async def work(session: AsyncSession) -> Outcome:
        now = services.clock.now()
        reflection = await store.get_owned(
            session, reflection_id=reflection_id, clinician_id=_cid(clinician)
        )
        if reflection is None:
            return Stale()
        if reflection.status != ReflectionStatus.IN_PROGRESS:
            return Stale(texts.BUTTON_REFLECTION_ENDED)
        await store.discard(session, reflection=reflection, now=now)
        return await _begin(
            session, clinician, program, delivery_id, now=now, before=texts.DISCARDED
        )

    outcome = await _run(update, context, work)
    if outcome is not None:
        await _send(update, context, outcome)


@dataclass(frozen=True)
class _Pressed:
    action: str
    reflection_id: int | None = None
    step_id: str | None = None
    value: str | None = None
    program_id: str | None = None
    delivery_id: int | None = None


def _parse(data: str) -> _Pressed | None:
    """The button's meaning, or None for data this bot never made."""
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != PREFIX:
        return None
    action, args = parts[1], parts[2:]
    try:
        if action == "a" and len(args) == 3:
            return _Pressed(action, int(args[0]), step_id=args[1], value=args[2])
        if action == "s" and len(args) == 2:
            return _Pressed(action, int(args[0]), step_id=args[1])
        if action == "r" and len(args) == 1:
            return _Pressed(action, int(args[0]))
        if action == "d" and len(args) in (2, 3):
            delivery = int(args[2]) if len(args) == 3 else None
            return _Pressed(action, int(args[0]), program_id=args[1], delivery_id=delivery)
    except ValueError:
        return None
    if action == "n" and len(args) == 1:
        return _Pressed(action, program_id=args[0])
    return None


async def button(update: Update, context: ReflectContext) -> None:
    """Any rf: button. Unknown, stale or foreign buttons change nothing and say so kindly."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    pressed = _parse(query.data)
    try:
        clinician = await current_clinician(update, context)
    except SQLAlchemyError:
        # The database is unavailable; if this was an answer, it was not stored: say so.
        await _send(update, context, Told())
        await reply(update, context, texts.ANSWER_NOT_SAVED)
        return
    if clinician is None or pressed is None:
        await query.answer(texts.STALE_BUTTON)
        return
    rid = pressed.reflection_id
    if pressed.action == "a" and rid is not None and pressed.step_id and pressed.value:
        await _answer_button(update, context, clinician, rid, pressed.step_id, pressed.value)
    elif pressed.action == "s" and rid is not None:
        await _skip(update, context, clinician, reflection_id=rid, step_id=pressed.step_id)
    elif pressed.action == "r" and rid is not None:
        await resume(update, context, clinician, rid)
    elif pressed.action == "d" and rid is not None and pressed.program_id:
        await _discard_and_start(
            update,
            context,
            clinician,
            reflection_id=rid,
            program_id=pressed.program_id,
            delivery_id=pressed.delivery_id,
        )
    elif pressed.action == "n" and pressed.program_id in services_of(context).catalog.programs:
        await query.answer()
        await start_reflection(update, context, clinician=clinician, program_id=pressed.program_id)
    else:
        await query.answer(texts.STALE_BUTTON)


async def _answer_button(
    update: Update,
    context: ReflectContext,
    clinician: Clinician,
    reflection_id: int,
    step_id: str,
    value: str,
) -> None:
    async def work(session: AsyncSession) -> Outcome | None:
        return await _answer_step(
            session,
            context,
            clinician,
            read=lambda step: journaling.read_button_answer(step, value),
            unreadable=lambda _step: "",
            reflection_id=reflection_id,
            step_id=step_id,
        )

    outcome = await _run(update, context, work)
    if outcome is not None:
        await _send(update, context, outcome)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    # Only new messages: editing an old "/checkin" must not start another check-in.
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("checkin", checkin, filters=commands),
        CommandHandler("reflect", reflect, filters=commands),
        CommandHandler("skip", skip, filters=commands),
        CommandHandler("cancel", cancel, filters=commands),
        CallbackQueryHandler(button, pattern=f"^{PREFIX}:"),
    ]
