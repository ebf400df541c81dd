"""Learning goals in chat: /goals, the follow-up buttons (gl:), and the typed answers a
follow-up waits for. Use cases: flows/goals.py; words and buttons: ui/goals.py.

Goal messages echo what the clinician wrote, so they are sent with protect_content.
"""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain.goals import CheckInOutcome
from reflect_bot.flows import goals as flow
from reflect_bot.flows.goals import (
    AskFollowUp,
    AskNewWords,
    AskWhatHappened,
    CheckInSaved,
    FollowUpSet,
    GoalClosed,
    NotAwaited,
    Stale,
)
from reflect_bot.ui import goals as ui
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import (
    GOAL,
    AnswerFollowUp,
    ChooseFollowUp,
    GoalDecision,
    decode_goal,
)

_OUTCOMES = {
    GoalDecision.KEEP: CheckInOutcome.KEPT,
    GoalDecision.CHANGE: CheckInOutcome.CHANGED,
    GoalDecision.CLOSE: CheckInOutcome.CLOSED,
}


@for_clinician
async def list_goals(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/goals: open goals with their next follow-up."""
    services = services_of(context)
    found = await flow.open_goals(services.sessions, services.clock, clinician=clinician)
    listed = [
        (g.goal_id, g.text, g.program_title, g.set_on, g.follow_up_on, g.overdue) for g in found
    ]
    text, keyboard = ui.open_goals(listed)
    await reply(update, context, text, keyboard=keyboard, protect=True)


@for_button
async def goal_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """gl: buttons. Foreign, forged or spent ones change nothing and say so."""
    clinician = await current_clinician(update, context)
    pressed = decode_goal(data)
    if clinician is None or pressed is None:
        await query.answer(texts.STALE_BUTTON)
        return
    services = services_of(context)
    outcome: FollowUpSet | AskWhatHappened | AskFollowUp | AskNewWords | GoalClosed | Stale
    if isinstance(pressed, ChooseFollowUp):
        outcome = await flow.choose_follow_up(
            services.sessions,
            services.clock,
            clinician=clinician,
            goal_id=pressed.goal_id,
            weeks=pressed.weeks,
        )
    elif isinstance(pressed, AnswerFollowUp):
        outcome = await flow.begin_check_in(
            services.sessions,
            services.clock,
            clinician=clinician,
            goal_id=pressed.goal_id,
            tried=pressed.tried,
        )
    else:
        outcome = await flow.decide(
            services.sessions,
            services.clock,
            clinician=clinician,
            check_in_id=pressed.check_in_id,
            outcome=_OUTCOMES[pressed.decision],
        )
    if isinstance(outcome, Stale):
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await _drop_buttons(query)
    await _say(update, context, outcome)


async def check_in_text(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """The typed answer to "what happened, and what now?"."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    services = services_of(context)
    outcome = await flow.answer_check_in(
        services.sessions, services.clock, clinician=clinician, typed=message.text
    )
    await _say(update, context, outcome)


async def new_words_text(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """A goal's new words, typed after "Change it"."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    services = services_of(context)
    outcome = await flow.reword(
        services.sessions, services.clock, clinician=clinician, typed=message.text
    )
    await _say(update, context, outcome)


def awaits_text(clinician: Clinician, context: ReflectContext) -> bool:
    """True while a follow-up waits for typed words, and no reflection was answered since
    it asked (a reflection started afterwards gets the text)."""
    now = services_of(context).clock.now()
    if not (flow.awaits_check_in(clinician, now=now) or flow.awaits_new_words(clinician, now=now)):
        return False
    reflection = context.peek_open_reflection()
    return reflection is None or reflection.last_activity_at <= clinician.updated_at


async def goal_text(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """Typed text a follow-up waits for (see `awaits_text`)."""
    if flow.awaits_check_in(clinician, now=services_of(context).clock.now()):
        await check_in_text(update, context, clinician)
    else:
        await new_words_text(update, context, clinician)


async def _say(
    update: Update,
    context: ReflectContext,
    outcome: FollowUpSet
    | AskWhatHappened
    | AskFollowUp
    | AskNewWords
    | GoalClosed
    | CheckInSaved
    | NotAwaited,
) -> None:
    if isinstance(outcome, FollowUpSet):
        await reply(update, context, ui.follow_up_set(outcome.on))
    elif isinstance(outcome, AskWhatHappened):
        await reply(update, context, ui.what_happened(outcome.tried))
    elif isinstance(outcome, CheckInSaved):
        text, keyboard = ui.decide(outcome.check_in_id)
        await reply(update, context, text, keyboard=keyboard)
    elif isinstance(outcome, AskNewWords):
        await reply(update, context, texts.GOAL_NEW_WORDS)
    elif isinstance(outcome, AskFollowUp):
        text, keyboard = ui.when_again(outcome.goal_id, outcome.text)
        await reply(update, context, text, keyboard=keyboard, protect=True)
    elif isinstance(outcome, GoalClosed):
        await reply(update, context, texts.GOAL_CLOSED)
    else:
        await reply(update, context, texts.GOAL_GONE)


async def _drop_buttons(query: CallbackQuery) -> None:
    # A choice is made once: its buttons go, so an old message cannot be pressed again.
    if isinstance(query.message, Message):
        # Too old to edit: the flow refuses a second press anyway.
        with contextlib.suppress(TelegramError):
            await query.message.edit_reply_markup(reply_markup=None)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("goals", list_goals, filters=commands),
        CallbackQueryHandler(goal_button, pattern=pattern(GOAL)),
    ]
