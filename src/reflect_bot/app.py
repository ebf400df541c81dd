"""Wiring: builds the python-telegram-bot Application with every handler and the services."""

from __future__ import annotations

import logging
import traceback
from functools import partial
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from reflect_bot import telegram_http
from reflect_bot.bot.context import BotData, ReflectContext
from reflect_bot.bot.guards import GuardMemory, admit, private_only
from reflect_bot.bot.handlers import (
    concepts,
    digest,
    export,
    fallback,
    goals,
    journal,
    membership,
    onboarding,
    portfolio,
    privacy,
    reflections,
    schedule,
    search,
    sharing,
    suggestions,
    supervision,
    voice,
)
from reflect_bot.bot.question_messages import QuestionMessages
from reflect_bot.bot.updates import PerChatUpdateProcessor
from reflect_bot.catalog import Catalog
from reflect_bot.clock import Clock
from reflect_bot.config import Settings
from reflect_bot.delivery import ticker
from reflect_bot.delivery.composers import delivery_composers
from reflect_bot.delivery.sender import Sender
from reflect_bot.logs import hold_back_chatty_libraries
from reflect_bot.recognition_loader import LazyRecogniser
from reflect_bot.services import build_services
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

# Connections to Telegram shared by replies, edits and scheduled sends: room for every update
# handled at once (PerChatUpdateProcessor) and the sender's requests in flight
# (telegram_http.AiohttpRequest). A request waits up to POOL_TIMEOUT for a free connection;
# it has not been sent then, so a timeout is retried safely (transport.py).
CONNECTION_POOL_SIZE = 32
POOL_TIMEOUT = 10.0

ReflectApplication = Application[Any, ReflectContext, dict[Any, Any], dict[Any, Any], BotData, Any]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    catalog: Catalog | None = None,
    recognisers: LazyRecogniser | None = None,
    polling: bool = True,
) -> ReflectApplication:
    """The bot, ready for run_polling, webhook.serving or manual start in tests.

    `polling=False` builds it without PTB's Updater: in webhook mode our own server
    (reflect_bot.webhook) puts Telegram's updates on the Application's queue.
    """
    if settings.bot_token is None:
        raise ValueError("REFLECT_BOT_TOKEN is not set")
    hold_back_chatty_libraries()  # no library may log message contents, at any level
    services = build_services(settings, clock=clock, catalog=catalog, recognisers=recognisers)
    pool, updates = telegram_http.requests(
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        connection_pool_size=CONNECTION_POOL_SIZE,
        pool_timeout=POOL_TIMEOUT,
    )
    builder = ApplicationBuilder() if polling else ApplicationBuilder().updater(None)
    application: ReflectApplication = (
        builder.token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .context_types(ContextTypes(context=ReflectContext, bot_data=BotData))
        .concurrent_updates(PerChatUpdateProcessor())
        .request(pool)
        .get_updates_request(updates)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.services = services
    application.bot_data.questions = QuestionMessages(services.sessions)
    _register_handlers(application)
    return application


def _register_handlers(application: ReflectApplication) -> None:
    # Guards run first, in their own groups; a guard that stops an update ends it there.
    # They share one memory per application (groups and strangers already told).
    memory = GuardMemory()
    application.add_handler(TypeHandler(Update, partial(private_only, memory=memory)), group=-2)
    application.add_handler(TypeHandler(Update, partial(admit, memory=memory)), group=-1)
    for module in (
        onboarding,
        concepts,
        reflections,
        journal,
        goals,
        supervision,
        sharing,
        digest,
        export,
        portfolio,
        privacy,
        schedule,
        membership,
        search,
        suggestions,
    ):
        application.add_handlers(module.handlers())
    if application.bot_data.services.settings.voice_on:
        application.add_handlers(voice.handlers())
    else:  # voice notes keep getting "text only, please"
        log.info(
            "voice notes are off: pip install 'reflect-bot[voice]' and run "
            "`reflect-bot transcriber` beside the bot to transcribe them on this machine"
        )
    # Fallbacks last in the same group: only what no other handler took reaches them.
    application.add_handlers(fallback.handlers())
    application.add_error_handler(_on_error)


async def start_application(application: ReflectApplication) -> None:
    """What run_polling/run_webhook do before receiving updates, minus signal handling (the
    sandbox, our webhook server and the tests own theirs): initialise, post_init, start."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()  # also starts the JobQueue that drives the scheduler's tick


async def stop_application(application: ReflectApplication) -> None:
    """Undoes start_application, and the Updater's polling if any, from wherever start-up
    got to: queued updates are handled first."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


async def _post_init(application: ReflectApplication) -> None:
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, description in texts.COMMANDS]
    )
    services = application.bot_data.services
    # The bot's username is known once initialised: digests link concepts with t.me links.
    composers = delivery_composers(bot_username=application.bot.username)
    # One planner and sender for this bot, kept across ticks (the sender's pacing spans them).
    application.bot_data.ticker = ticker.Ticker(Sender(services, application.bot, composers))
    # The database is the scheduler's memory; the JobQueue only ticks (delivery/ticker.py).
    if application.job_queue is not None:
        interval = services.settings.tick_seconds
        application.job_queue.run_repeating(
            _tick,
            interval=interval,
            first=interval,
            name=ticker.TICK_JOB_NAME,
            data=application.bot_data.ticker,
        )


async def _tick(context: ReflectContext) -> None:
    """The JobQueue callback for a job whose data is the bot's `Ticker`: one tick, also
    waiting up to half an interval for rows that fall due meanwhile (e.g. pushed back by a
    429), so they need not wait for the next tick."""
    data = context.job.data if context.job is not None else None
    if not isinstance(data, ticker.Ticker):
        raise TypeError("the tick job runs with its Ticker as data")
    await data.tick(max_wait=data.services.settings.tick_seconds / 2)


async def _post_shutdown(application: ReflectApplication) -> None:
    await application.bot_data.questions.close()
    await application.bot_data.services.engine.dispose()


async def _on_error(update: object, context: ReflectContext) -> None:
    """Logs the failure without any message content, then tells the clinician kindly."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # Only the exception's type and where it happened: its message may quote clinical text.
    where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    log.error("handling update %s failed: %s\n%s", update_id, type(error).__name__, where)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id, texts.SOMETHING_WENT_WRONG, parse_mode=ParseMode.HTML
            )
        except TelegramError:
            log.warning("could not tell chat about the failure")
