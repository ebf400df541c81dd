"""/digest (this week so far) and /digest last (the week before), on demand.

These never touch the `digest` table: asking to see a digest is not the weekly send.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import reply
from reflect_bot.bot.preamble import for_clinician
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import digests, goals
from reflect_bot.domain.digest import DigestPrograms, IsoWeek, build_digest
from reflect_bot.render.telegram_html import render_digest
from reflect_bot.ui import texts
from reflect_bot.ui.reflection import start_data


def _cid(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


@for_clinician
async def show_digest(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """Sends this week's digest so far, or last week's with `/digest last`."""
    args = [arg.lower() for arg in context.args or []]
    if args not in ([], ["last"]):
        await reply(update, context, texts.DIGEST_USAGE)
        return
    services = services_of(context)
    _, zone = digests.clinician_zone(clinician.timezone)
    week = IsoWeek.containing(services.clock.now().astimezone(zone).date())
    last = args == ["last"]
    if last:
        week = week.shifted(-1)
    closed_from, closed_before = week.bounds(zone)
    async with transaction(services.sessions) as session:
        loaded = await digests.load_week(
            session, clinician=clinician, week=week, programs=DigestPrograms.of(services.catalog)
        )
        window = goals.DigestWindow(
            _cid(clinician),
            services.clock.now().astimezone(zone).date(),
            closed_from,
            closed_before,
        )
        coming = (await goals.for_digests(session, windows=[window]))[window.clinician_id]
    digest = build_digest(
        loaded.week,
        loaded.history,
        services.catalog,
        zone=loaded.zone,
        so_far=not last,
        goals=coming,
    )
    rendered = render_digest(digest, bot_username=context.bot.username, start_program=start_data)
    for n, text in enumerate(rendered.messages, start=1):
        keyboard = rendered.keyboard if n == len(rendered.messages) else None
        # Protected like every message quoting the clinician's own words.
        await reply(update, context, text, keyboard=keyboard, protect=True)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    return [CommandHandler("digest", show_digest, filters=filters.ChatType.PRIVATE)]
