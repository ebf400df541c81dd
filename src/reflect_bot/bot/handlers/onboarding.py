"""/start, consent, time zone and /help."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import concepts, schedule
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import clinicians
from reflect_bot.domain.timezones import parse_timezone, resolve
from reflect_bot.ui import keyboards, texts


async def start(update: Update, context: ReflectContext) -> None:
    """Shows the privacy notice with a consent button (or, once consented, a greeting).

    A deep link to a concept card (/start c-<slug>) opens the card: cards are public content.
    """
    slug = concepts.deep_link_slug(context.args[0]) if context.args else None
    if slug is not None:
        await concepts.show_card(update, context, slug)
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


async def consent(update: Update, context: ReflectContext) -> None:
    """Records consent and asks for the time zone."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    services = services_of(context)
    async with transaction(services.sessions) as session:
        await clinicians.register(
            session,
            telegram_user_id=user.id,
            chat_id=chat.id,
            display_name=user.full_name,
            now=services.clock.now(),
        )
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(update, context, texts.CONSENT_THANKS)
    await reply(update, context, texts.ASK_TIMEZONE, keyboard=keyboards.timezones())


async def ask_timezone(update: Update, context: ReflectContext) -> None:
    """/timezone: asks for the zone again."""
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    services = services_of(context)
    async with transaction(services.sessions) as session:
        await clinicians.set_awaiting(
            session, clinician=clinician, awaiting="timezone", now=services.clock.now()
        )
    await reply(update, context, texts.ASK_TIMEZONE, keyboard=keyboards.timezones())


async def timezone_button(update: Update, context: ReflectContext) -> None:
    """A time zone button was pressed."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    zone = parse_timezone(query.data.removeprefix(keyboards.TIMEZONE_PREFIX))
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
    now = services.clock.now()
    first_time = clinician.timezone is None
    async with transaction(services.sessions) as session:
        await clinicians.set_timezone(session, clinician=clinician, zone=zone, now=now)
        if not first_time and clinician.id is not None:
            await schedule.follow_new_zone(session, services, clinician.id)
    local = now.astimezone(resolve(zone)).strftime("%H:%M")
    await reply(
        update, context, texts.TIMEZONE_SET.format(zone=html.escape(zone), local_time=local)
    )
    if first_time:
        await reply(update, context, texts.READY)
        await schedule.offer_starter_plan(update, context, clinician)


async def show_help(update: Update, context: ReflectContext) -> None:
    """/help: lists the commands."""
    await reply(update, context, texts.help_text())


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CommandHandler("timezone", ask_timezone, filters=private),
        CommandHandler("help", show_help, filters=private),
        CallbackQueryHandler(consent, pattern=f"^{keyboards.CONSENT}$"),
        CallbackQueryHandler(timezone_button, pattern=f"^{keyboards.TIMEZONE_PREFIX}"),
    ]
