"""The "prompt" composer: a scheduled invitation to one program, with Start / Snooze / Skip."""

from __future__ import annotations

import html
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.models import Clinician, Delivery
from reflect_bot.db.repositories import deliveries
from reflect_bot.delivery.outgoing import Outgoing
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.services import Services
from reflect_bot.ui import schedule_keyboards, texts

log = logging.getLogger(__name__)

KIND = "prompt"
# Completions loaded once per batch of deliveries, kept in the batch session's info.
_COMPLETIONS_KEY = "reflect_bot.prompt_completions"
# "Today" in any zone began less than this long ago.
_LOOKBACK = timedelta(hours=27)


async def compose_prompt(
    session: AsyncSession,
    services: Services,
    clinician: Clinician,
    delivery: Delivery,
    *,
    batch: Sequence[Delivery],
) -> list[Outgoing] | None:
    """The prompt message, or None when the clinician already completed the program today."""
    if delivery.program_id is None or delivery.id is None or clinician.id is None:
        return None
    program = services.catalog.programs.get(delivery.program_id)
    if program is None or clinician.timezone is None:
        log.warning("delivery %s names a program no longer in the catalog", delivery.id)
        return None
    zone = resolve(clinician.timezone)
    now = services.clock.now()
    start, end = scheduling.day_bounds(scheduling.local_date_of(now, zone), zone)
    finished = await _completions(session, batch or [delivery], now)
    if any(start <= at < end for at in finished.get((clinician.id, program.id), ())):
        return None
    text = texts.PROMPT.format(
        title=html.escape(program.title),
        minutes=program.duration_minutes,
        purpose=html.escape(program.purpose),
    )
    tonight = scheduling.tonight(now, zone) is not None
    return [Outgoing(text=text, keyboard=schedule_keyboards.prompt(delivery.id, tonight=tonight))]


async def _completions(
    session: AsyncSession, batch: Sequence[Delivery], now: datetime
) -> dict[tuple[int, str], list[datetime]]:
    """Recent completions of every clinician in the sender's batch, loaded in one query."""
    cached = session.info.get(_COMPLETIONS_KEY)
    # Identity, not ==: comparing pydantic models field by field is slow.
    if cached is not None and cached[0] is batch:
        found: dict[tuple[int, str], list[datetime]] = cached[1]
        return found
    found = defaultdict(list)
    rows = await deliveries.completions_since(
        session, clinician_ids={d.clinician_id for d in batch}, since=now - _LOOKBACK
    )
    for clinician_id, program_id, finished_at in rows:
        found[(clinician_id, program_id)].append(finished_at)
    session.info[_COMPLETIONS_KEY] = (batch, found)
    return found
