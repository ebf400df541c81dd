"""/profile, /cpd and the portfolio buttons: choose the body whose shape evidence takes, log
CPD activities and see progress, export as evidence by button.

Use cases in flows/portfolio.py; words and keyboards in ui/portfolio.py. A CPD title is the
clinician's words: it is stored encrypted and never logged.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import export as export_handlers
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain.cpd import CpdProblem
from reflect_bot.flows import export as export_flow
from reflect_bot.flows import portfolio as flow
from reflect_bot.ui import portfolio as view
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import (
    PORTFOLIO,
    AskChoice,
    ChoiceDone,
    ChooseProfile,
    ExportAs,
    PickOption,
    decode_portfolio,
)

log = logging.getLogger(__name__)


@for_clinician
async def profile(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/profile [<id> | none]: shows the profiles to pick from, or sets one as typed."""
    services = services_of(context)
    args = [word.casefold() for word in context.args or []]
    if not args:
        current = services.catalog.profiles.get(clinician.portfolio_profile or "")
        keyboard = view.profile_keyboard(services.catalog)
        await reply(update, context, view.profile_text(current), keyboard=keyboard)
        return
    wanted = None if args[0] == "none" else args[0]
    chosen = await flow.choose_profile(
        services.sessions, services.catalog, services.clock, clinician=clinician, profile_id=wanted
    )
    if isinstance(chosen, flow.UnknownProfile):
        await reply(update, context, view.unknown_profile_text(services.catalog))
        return
    await reply(update, context, view.profile_set_text(chosen.profile))


@for_clinician
async def cpd(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/cpd: progress this period; /cpd add <kind> <time> <title>: logs an activity."""
    services = services_of(context)
    args = context.args or []
    if args and args[0].casefold() == "add":
        logged = await flow.log_activity(
            services.sessions, services.clock, clinician=clinician, words=args[1:]
        )
        if isinstance(logged, CpdProblem):
            await reply(update, context, view.cpd_problem_text(logged))
            return
        log.info("cpd activity logged: %s, %d min", logged.activity.kind, logged.activity.minutes)
        await reply(update, context, view.logged_text(logged.activity))
        return
    if args:
        await reply(update, context, texts.CPD_USAGE)
        return
    overview = await flow.cpd_overview(
        services.sessions, services.catalog, services.clock, clinician=clinician
    )
    text = view.cpd_text(
        overview.progress, overview.profile, ready=overview.ready, lacking=overview.lacking
    )
    await reply(update, context, text, keyboard=view.cpd_keyboard(overview.lacking))
    if await flow.should_offer_profile(
        services.sessions, services.catalog, services.clock, clinician=clinician
    ):
        keyboard = view.profile_keyboard(services.catalog)
        await reply(update, context, view.profile_text(None, offer=True), keyboard=keyboard)


@for_button
async def portfolio_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """pf: buttons: choose a profile, list the profiles, or export as evidence."""
    clinician = await current_clinician(update, context)
    pressed = decode_portfolio(data)
    if clinician is None or pressed is None:
        await query.answer(texts.STALE_BUTTON)
        return
    services = services_of(context)
    if isinstance(pressed, ChooseProfile):
        chosen = await flow.choose_profile(
            services.sessions,
            services.catalog,
            services.clock,
            clinician=clinician,
            profile_id=pressed.profile_id,
        )
        await query.answer()
        if isinstance(chosen, flow.UnknownProfile):
            await reply(update, context, view.unknown_profile_text(services.catalog))
            return
        await _replace(query, view.profile_set_text(chosen.profile))
        return
    if isinstance(pressed, AskChoice | PickOption | ChoiceDone):
        await _choice(update, context, query, clinician, pressed)
        return
    await query.answer()
    if isinstance(pressed, ExportAs):
        asked = export_flow.read_request(
            services.catalog,
            services.clock,
            clinician=clinician,
            args=[pressed.target, pressed.format],
        )
        if isinstance(asked, export_flow.NotUnderstood):  # a profile since removed
            await reply(update, context, texts.STALE_BUTTON)
            return
        await export_handlers.deliver(update, context, clinician, asked)
        return
    current = services.catalog.profiles.get(clinician.portfolio_profile or "")
    await reply(
        update,
        context,
        view.profile_text(current),
        keyboard=view.profile_keyboard(services.catalog),
    )


async def _choice(
    update: Update,
    context: ReflectContext,
    query: CallbackQuery,
    clinician: Clinician,
    pressed: AskChoice | PickOption | ChoiceDone,
) -> None:
    """Asks a profile's choice about a reflection, picks an option, or closes the question."""
    services = services_of(context)
    if isinstance(pressed, PickOption):
        asked = await flow.pick_option(
            services.sessions,
            services.catalog,
            services.clock,
            clinician=clinician,
            reflection_id=pressed.reflection_id,
            choice_id=pressed.choice_id,
            option_id=pressed.option_id,
        )
    else:
        asked = await flow.ask_choice(
            services.sessions,
            services.catalog,
            clinician=clinician,
            reflection_id=pressed.reflection_id,
            choice_id=pressed.choice_id,
        )
    if asked is None:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    if isinstance(pressed, AskChoice):
        await reply(update, context, view.choice_text(asked), keyboard=view.choice_keyboard(asked))
    elif isinstance(pressed, ChoiceDone) or asked.done:
        await _replace(query, view.choice_text(asked) + "\n\n" + view.choice_saved_text(asked))
    elif isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=view.choice_keyboard(asked))
        except BadRequest as exc:  # pressed twice before the first edit arrived
            log.info("choice buttons not changed: %s", type(exc).__name__)


async def _replace(query: CallbackQuery, text: str) -> None:
    """The chooser becomes the outcome, so its buttons cannot be pressed twice."""
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, parse_mode=ParseMode.HTML)
        except BadRequest as exc:  # "message is not modified"
            log.info("profile message not changed: %s", type(exc).__name__)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("profile", profile, filters=private),
        CommandHandler("cpd", cpd, filters=private),
        CallbackQueryHandler(portfolio_button, pattern=pattern(PORTFOLIO)),
    ]
