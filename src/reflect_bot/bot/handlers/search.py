"""/search <words>: one's own reflections by meaning, each opening its journal entry."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import reply
from reflect_bot.bot.preamble import for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain.timezones import local_zone
from reflect_bot.flows import search as flow
from reflect_bot.ui import search as ui
from reflect_bot.ui import texts

log = logging.getLogger(__name__)


@for_clinician
async def search(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """Lists the reflections closest in meaning to the words after /search."""
    query = " ".join(context.args or []).strip()
    if not query or clinician.id is None:
        await reply(update, context, texts.SEARCH_USAGE)
        return
    services = services_of(context)
    try:
        found = await flow.find(
            services.sessions, services.recognisers.get, clinician_id=clinician.id, query=query
        )
    except (OSError, ValueError) as exc:  # the word-vector table is missing or unreadable
        log.warning("search is unavailable: %s", type(exc).__name__)
        await reply(update, context, texts.SEARCH_UNAVAILABLE)
        return
    if not found:
        await reply(update, context, ui.nothing_found(query))
        return
    zone = local_zone(clinician.timezone)
    text, keyboard = ui.results(query, found, zone)
    # Protected like every message quoting the clinician's own words.
    await reply(update, context, text, keyboard=keyboard, protect=True)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    commands = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [CommandHandler("search", search, filters=commands)]
