"""/start, consent, time zone and /help: parse, call flows/onboarding.py, say the outcome."""

from __future__ import annotations

import html

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import concepts, sharing
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import parse_timezone, resolve
from reflect_bot.flows import onboarding as flows
from reflect_bot.flows.sharing import invite_code_of
from reflect_bot.ui import callbacks as cb
from reflect_bot.ui import keyboards, schedules, texts
from reflect_bot.ui.callback_data import pattern


async def start(update: Update, context: ReflectContext) -> None:
    """Shows the privacy notice with a consent button (or, once consented, a greeting).

    A deep link to a concept card (/start c-<slug>) opens the card: cards are public content.
    """
    slug = concepts.deep_link_slug(context.args[0]) if context.args else None
    if slug is not None:
        await concepts.show_card(update, context, slug)
        return
    # A supervisor opening a clinician's invite link (/start sv-<code>): need not be a clinician.
    code = invite_code_of(context.args[0]) if context.args else None
    if code is not None:
        await sharing.open_invite(update, context, code)
        return
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.PRIVACY_NOTICE, keyboard=keyboards.consent())
    elif clinician.timezone is None:
        await ask_timezone(update, context)
    elif not clinician.reachable:
        await reply(update, context, texts.READY + "\n\n" + texts.PROMPTS_STOPPED)
    else:
        await reply(update, context, texts.READY)


@for_button
async def consent(update: Update, context: ReflectContext, query: CallbackQuery, _: str) -> None:
    """Records consent and asks for the time zone."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    services = services_of(context)
    await flows.consent(
        services.sessions,
        services.clock,
        telegram_user_id=user.id,
        chat_id=chat.id,
        display_name=user.full_name,
    )
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(update, context, texts.CONSENT_THANKS)
    await reply(update, context, texts.ASK_TIMEZONE, keyboard=keyboards.timezones())


@for_clinician
async def ask_timezone(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/timezone: asks for the zone again."""
    services = services_of(context)
    await flows.await_time_zone(services.sessions, services.clock, clinician=clinician)
    await reply(update, context, texts.ASK_TIMEZONE, keyboard=keyboards.timezones())


@for_button
async def timezone_button(
    update: Update, context: ReflectContext, query: CallbackQuery, data: str
) -> None:
    """A time zone button was pressed."""
    await query.answer()
    chosen = cb.decode_time_zone(data)
    zone = parse_timezone(chosen.zone) if chosen is not None else None
    clinician = await current_clinician(update, context)
    if clinician is None or zone is None:
        return
    await query.edit_message_reply_markup(None)
    await _save_timezone(update, context, clinician, zone)


async def timezone_text(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """A typed time zone: saved if understood, otherwise a helpful hint."""
    typed = update.effective_message.text if update.effective_message else None
    zone = parse_timezone(typed or "")
    if zone is None:
        shown = html.escape((typed or "").strip()[:64])
        await reply(update, context, texts.TIMEZONE_NOT_UNDERSTOOD.format(typed=shown))
        return
    await _save_timezone(update, context, clinician, zone)


async def _save_timezone(
    update: Update, context: ReflectContext, clinician: Clinician, zone: str
) -> None:
    services = services_of(context)
    saved = await flows.set_time_zone(
        services.sessions, services.catalog, services.clock, clinician=clinician, zone=zone
    )
    local = saved.now.astimezone(resolve(zone)).strftime("%H:%M")
    await reply(
        update, context, texts.TIMEZONE_SET.format(zone=html.escape(zone), local_time=local)
    )
    if saved.first_time:
        await reply(update, context, texts.READY)
    if saved.offer_starter_plan:
        text, keyboard = schedules.starter_plan_offer(
            services.catalog.programs, zone, scheduling.starter_plan(services.catalog)
        )
        await reply(update, context, text, keyboard=keyboard)


async def show_help(update: Update, context: ReflectContext) -> None:
    """/help: lists the commands, and names the deployment's support."""
    await reply(update, context, texts.help_text(services_of(context).settings.support_text))


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CommandHandler("timezone", ask_timezone, filters=private),
        CommandHandler("help", show_help, filters=private),
        CallbackQueryHandler(consent, pattern=f"^{cb.CONSENT}$"),
        CallbackQueryHandler(timezone_button, pattern=pattern(cb.TIME_ZONE)),
    ]
