"""/digest and /trend on demand: a week's digest with the alliance trend behind it.

Asking to see a digest is not the weekly send: nothing here touches the `digest` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import digests, goals
from reflect_bot.domain.digest import (
    ConceptLookup,
    DigestPrograms,
    IsoWeek,
    WeeklyDigest,
    build_digest,
)
from reflect_bot.domain.timezones import local_zone
from reflect_bot.domain.trend import DEFAULT_WEEKS, AllianceTrend
from reflect_bot.flows.trend import batch_trends


@dataclass(frozen=True)
class DigestShown:
    digest: WeeklyDigest
    #: The alliance over the `DEFAULT_WEEKS` weeks ending with the digest's week.
    trend: AllianceTrend


async def digest_for(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    concepts: ConceptLookup,
    *,
    clinician_id: int,
    zone_name: str | None,
    now: datetime,
    last: bool,
) -> DigestShown:
    """This week's digest so far, or last week's (`last`), in one read-only transaction."""
    zone = local_zone(zone_name)
    week = IsoWeek.containing(now.astimezone(zone).date())
    if last:
        week = week.shifted(-1)
    closed_from, closed_before = week.bounds(zone)
    window = goals.DigestWindow(
        clinician_id, now.astimezone(zone).date(), closed_from, closed_before
    )
    async with transaction(sessions) as session:
        loaded = await digests.load_weeks(
            session,
            clinicians=[(clinician_id, zone_name)],
            week=week,
            programs=DigestPrograms.of(catalog),
        )
        trends = await batch_trends(
            session,
            catalog,
            clinicians={clinician_id: zone_name},
            last_week=week,
            weeks=DEFAULT_WEEKS,
        )
        coming = (await goals.for_digests(session, windows=[window]))[clinician_id]
    found = loaded[clinician_id]
    digest = build_digest(
        found.week,
        found.history,
        catalog,
        zone=found.zone,
        so_far=not last,
        concepts=concepts,
        by_meaning=True,
        goals=coming,
    )
    return DigestShown(digest, trends[clinician_id])
