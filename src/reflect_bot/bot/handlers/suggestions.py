"""Concepts suggested at the end of a reflection: "This seemed to touch on: …", each card to
keep or remove (`rc:` buttons). Recognition runs off the event loop; the decision is one flow.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button
from reflect_bot.catalog import Catalog
from reflect_bot.domain.suggestions import carried_by, suggested_concepts
from reflect_bot.flows import reflection_concepts as flows
from reflect_bot.flows.reflection_concepts import Decided
from reflect_bot.ui import reflection as ui
from reflect_bot.ui import texts
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import SUGGESTED, decode_suggested

log = logging.getLogger(__name__)


def _named(catalog: Catalog, slugs: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    return [(slug, catalog.concept(slug).name) for slug in slugs if slug in catalog.concepts]


async def offer(
    update: Update,
    context: ReflectContext,
    *,
    reflection_id: int,
    written: tuple[tuple[int, str], ...],
) -> None:
    """After a completed reflection: stores the cards its text answers carried and offers
    the best of them to keep or remove."""
    if not written:
        return
    services = services_of(context)
    try:
        # The first call also loads the recogniser (≈ 0.1 s): never on the event loop.
        found = await asyncio.to_thread(lambda: carried_by(services.recognisers.get(), written))
        await flows.record_carried(services.sessions, reflection_id=reflection_id, found=found)
    except (OSError, ValueError) as exc:  # the word-vector table is missing or unreadable
        log.warning("concepts could not be recognised: %s", type(exc).__name__)
        return
    except SQLAlchemyError as exc:  # the reflection is stored; only its concepts are not
        log.warning("recognised concepts could not be stored: %s", type(exc).__name__)
        return
    suggested = _named(services.catalog, suggested_concepts(found))
    if not suggested:
        return
    await reply(
        update,
        context,
        ui.suggestions_text(name for _, name in suggested),
        keyboard=ui.suggestions_keyboard(reflection_id, suggested),
    )


@for_button
async def button(update: Update, context: ReflectContext, query: CallbackQuery, data: str) -> None:
    """Keep or Remove under a suggestion: stored, then the buttons show the decision."""
    pressed = decode_suggested(data)
    clinician = await current_clinician(update, context)
    if pressed is None or clinician is None or clinician.id is None:
        await query.answer(texts.STALE_BUTTON)
        return
    services = services_of(context)
    try:
        outcome = await flows.decide(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=clinician.id,
            reflection_id=pressed.reflection_id,
            slug=pressed.slug,
            keep=pressed.keep,
        )
    except SQLAlchemyError as exc:
        log.warning("a concept decision could not be stored: %s", type(exc).__name__)
        await query.answer(texts.SUGGESTION_NOT_SAVED, show_alert=True)
        return
    if not isinstance(outcome, Decided):
        await query.answer(texts.SUGGESTION_STALE)
        return
    await query.answer(texts.SUGGESTION_KEPT if pressed.keep else texts.SUGGESTION_REMOVED)
    message = query.message
    if isinstance(message, Message):
        offered = ui.suggested_slugs(message.reply_markup) or [pressed.slug]
        keyboard = ui.suggestions_keyboard(
            outcome.reflection_id, _named(services.catalog, offered), outcome.decided
        )
        try:
            await message.edit_reply_markup(reply_markup=keyboard)
        except TelegramError as exc:  # e.g. unchanged (pressed twice): the decision is stored
            log.info("could not show a concept decision: %s", type(exc).__name__)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    return [CallbackQueryHandler(button, pattern=pattern(SUGGESTED))]
