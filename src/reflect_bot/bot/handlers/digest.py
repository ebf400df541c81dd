"""/digest (this week so far), /digest last (the week before) and /trend [weeks], on demand.

These never touch the `digest` table: asking to see a digest is not the weekly send.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.messaging import reply, reply_photo
from reflect_bot.bot.preamble import for_clinician
from reflect_bot.db.models import Clinician
from reflect_bot.domain.numbers import whole_number
from reflect_bot.domain.trend import AllianceTrend, clamp_weeks
from reflect_bot.flows import digest as flow
from reflect_bot.flows.trend import alliance_trend
from reflect_bot.render.charts import chart_of
from reflect_bot.render.telegram_html import render_digest
from reflect_bot.ui import texts
from reflect_bot.ui.reflection import start_data


def _cid(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


@for_clinician
async def show_digest(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """Sends this week's digest so far, or last week's with `/digest last`, then the chart."""
    args = [arg.lower() for arg in context.args or []]
    if args not in ([], ["last"]) or clinician.id is None:
        await reply(update, context, texts.DIGEST_USAGE)
        return
    services = services_of(context)
    shown = await flow.digest_for(
        services.sessions,
        services.catalog,
        services.concept_lookup,
        clinician_id=clinician.id,
        zone_name=clinician.timezone,
        now=services.clock.now(),
        last=args == ["last"],
    )
    rendered = render_digest(
        shown.digest, bot_username=context.bot.username, start_program=start_data
    )
    for n, text in enumerate(rendered.messages, start=1):
        keyboard = rendered.keyboard if n == len(rendered.messages) else None
        # Protected like every message quoting the clinician's own words.
        await reply(update, context, text, keyboard=keyboard, protect=True)
    if not shown.digest.is_empty:
        await _send_chart(update, context, shown.trend, explain_if_none=False)


@for_clinician
async def show_trend(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """/trend [weeks]: the alliance chart over the last weeks (12 unless asked)."""
    args = context.args or []
    asked = whole_number(args[0]) if len(args) == 1 else None
    if len(args) > 1 or (args and asked is None) or clinician.id is None:
        await reply(update, context, texts.TREND_USAGE)
        return
    services = services_of(context)
    trend = await alliance_trend(
        services.sessions,
        services.catalog,
        clinician_id=clinician.id,
        zone_name=clinician.timezone,
        now=services.clock.now(),
        weeks=clamp_weeks(asked),
    )
    await _send_chart(update, context, trend, explain_if_none=True)


async def _send_chart(
    update: Update, context: ReflectContext, trend: AllianceTrend, *, explain_if_none: bool
) -> None:
    # Drawing takes some milliseconds of CPU: off the event loop, other chats keep moving.
    chart = await asyncio.to_thread(chart_of, trend)
    if chart is None:
        if explain_if_none:
            text = texts.TREND_NOT_YET.format(rated=trend.weeks_rated, weeks=len(trend.weeks))
            await reply(update, context, text)
        return
    await reply_photo(update, context, chart.png, chart.caption, protect=True)
    if chart.numbers_after is not None:
        await reply(update, context, chart.numbers_after, protect=True)


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("digest", show_digest, filters=private),
        CommandHandler("trend", show_trend, filters=private & filters.UpdateType.MESSAGE),
    ]
