"""The "digest" composer: a scheduled weekly digest, sent once per ISO week.

The sender claims a digest delivery like any prompt (restarts, DST, lateness window, rate
limits and 403s are its business) and calls this composer with its read-only batch session.

Once per week: before composing, the delivery claims its week in the `digest` table
(UNIQUE clinician + week start) in a transaction of its own, since the sender's session is
never committed. Another delivery of the same week — a digest day moved within the week, or
a second process — then finds the week taken and is skipped. A retry of the same delivery
keeps its claim; a delivery that never sent (failed, skipped, missed) gives it up.

No N+1: the first digest of a claimed batch loads the weeks and alliance trends of every
digest delivery in the batch at once (`load_weeks`, `batch_trends`), and the others are
composed from that. A digest of a week with reflections ends with the alliance chart when
there are ratings in two weeks or more.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.catalog import Catalog
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Delivery
from reflect_bot.db.repositories import digests, goals
from reflect_bot.db.repositories.digests import ClinicianWeek
from reflect_bot.delivery.outgoing import Composer, Outgoing
from reflect_bot.domain.digest import DigestPrograms, IsoWeek, build_digest, digest_week_for
from reflect_bot.domain.goals import GoalsInDigest
from reflect_bot.domain.trend import DEFAULT_WEEKS, AllianceTrend
from reflect_bot.flows.trend import batch_trends
from reflect_bot.render.charts import chart_of
from reflect_bot.render.telegram_html import render_digest
from reflect_bot.services import Services
from reflect_bot.ui.reflection import start_data

__all__ = ["KIND", "digest_composer"]

KIND = "digest"
# Where the weeks loaded for a batch are kept, in the batch session's info.
_WEEKS_INFO_KEY = "reflect_bot.digest_weeks"
_GOALS_INFO_KEY = "reflect_bot.digest_goals"


def digest_composer(*, bot_username: str | None) -> Composer:
    """A composer whose concept links are t.me deep links to this bot (buttons without one)."""

    async def compose(
        session: AsyncSession,
        services: Services,
        clinician: Clinician,
        delivery: Delivery,
        *,
        batch: Sequence[Delivery],
    ) -> list[Outgoing] | None:
        if clinician.id is None or delivery.id is None:
            return None
        week = digest_week_for(delivery.local_date)
        async with transaction(services.sessions) as claiming:
            claimed = await digests.record_sent(
                claiming,
                clinician_id=clinician.id,
                week=week,
                delivery_id=delivery.id,
                now=services.clock.now(),
            )
        if not claimed:
            return None  # this week's digest is another delivery's
        loaded = await _week_of(session, services.catalog, clinician, batch or [delivery], week)
        digest = build_digest(
            loaded.week.week,
            loaded.week.history,
            services.catalog,
            zone=loaded.week.zone,
            concepts=services.concept_lookup,
            by_meaning=True,
            goals=await _goals_of(session, clinician.id, batch or [delivery]),
        )
        rendered = render_digest(digest, bot_username=bot_username, start_program=start_data)
        last = len(rendered.messages) - 1
        # protect_content: the digest quotes the clinician's own words.
        outgoing = [
            Outgoing(text=text, keyboard=rendered.keyboard if n == last else None, protect=True)
            for n, text in enumerate(rendered.messages)
        ]
        # The alliance over the weeks, drawn off the event loop (a few ms of CPU each).
        chart = None if digest.is_empty else await asyncio.to_thread(chart_of, loaded.trend)
        if chart is not None:
            outgoing.append(Outgoing(text=chart.caption, photo=chart.png, protect=True))
            if chart.numbers_after is not None:
                outgoing.append(Outgoing(text=chart.numbers_after, protect=True))
        return outgoing

    return compose


@dataclass(frozen=True, slots=True)
class _Loaded:
    week: ClinicianWeek
    trend: AllianceTrend


async def _goals_of(
    session: AsyncSession, clinician_id: int, batch: Sequence[Delivery]
) -> GoalsInDigest:
    """This clinician's goals for their digest, loaded with those of the batch's other digest
    deliveries in one query. Runs after `_week_of`, whose loaded weeks know every zone."""
    loaded: dict[int, GoalsInDigest] = session.info.setdefault(_GOALS_INFO_KEY, {})
    if clinician_id not in loaded:
        weeks: dict[tuple[int, IsoWeek], _Loaded] = session.info.get(_WEEKS_INFO_KEY, {})
        windows = []
        for row in batch:
            week = digest_week_for(row.local_date)
            found = weeks.get((row.clinician_id, week))
            if row.kind == KIND and found is not None and row.clinician_id not in loaded:
                closed_from, closed_before = week.bounds(found.week.zone)
                windows.append(
                    goals.DigestWindow(row.clinician_id, row.local_date, closed_from, closed_before)
                )
        loaded.update(await goals.for_digests(session, windows=windows))
    return loaded.get(clinician_id, GoalsInDigest())


async def _week_of(
    session: AsyncSession,
    catalog: Catalog,
    clinician: Clinician,
    batch: Sequence[Delivery],
    week: IsoWeek,
) -> _Loaded:
    """This clinician's week and alliance trend, loaded with those of the batch's other digest
    deliveries."""
    assert clinician.id is not None
    loaded: dict[tuple[int, IsoWeek], _Loaded] = session.info.setdefault(_WEEKS_INFO_KEY, {})
    if (clinician.id, week) not in loaded:
        wanted: dict[IsoWeek, set[int]] = defaultdict(set)
        for row in batch:
            if row.kind == KIND:
                wanted[digest_week_for(row.local_date)].add(row.clinician_id)
        wanted[week].add(clinician.id)
        ids = {cid for cids in wanted.values() for cid in cids}
        rows = await session.execute(
            select(col(Clinician.id), col(Clinician.timezone)).where(col(Clinician.id).in_(ids))
        )
        zones = {cid: zone for cid, zone in rows if cid is not None}
        programs = DigestPrograms.of(catalog)
        for each_week, cids in wanted.items():
            weeks = await digests.load_weeks(
                session,
                clinicians=[(cid, zones.get(cid)) for cid in cids],
                week=each_week,
                programs=programs,
            )
            trends = await batch_trends(
                session,
                catalog,
                clinicians={cid: zones.get(cid) for cid in cids},
                last_week=each_week,
                weeks=DEFAULT_WEEKS,
            )
            loaded.update(
                {(cid, each_week): _Loaded(found, trends[cid]) for cid, found in weeks.items()}
            )
    return loaded[(clinician.id, week)]
