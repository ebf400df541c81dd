"""The alliance trend of one clinician: their check-ins over the last weeks, grouped into
weeks of their own time zone (one read-only transaction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories.digests import clinician_zone
from reflect_bot.db.repositories.trends import load_trend
from reflect_bot.domain.digest import DigestPrograms, IsoWeek
from reflect_bot.domain.trend import AllianceTrend, build_trend, span


async def alliance_trend(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    *,
    clinician_id: int,
    zone_name: str | None,
    last_week: IsoWeek | None = None,
    now: datetime,
    weeks: int,
) -> AllianceTrend:
    """The `weeks` weeks ending with `last_week` (default: the clinician's current week)."""
    _, zone = clinician_zone(zone_name)
    programs = DigestPrograms.of(catalog)
    last = last_week or IsoWeek.containing(now.astimezone(zone).date())
    shown = span(last, weeks)
    start, _ = shown[0].bounds(zone)
    _, end = shown[-1].bounds(zone)
    async with transaction(sessions) as session:
        rows = await load_trend(
            session, clinician_id=clinician_id, start=start, end=end, programs=programs
        )
    return build_trend(
        weeks=shown,
        zone=zone,
        check_ins=rows.check_ins,
        repairs=rows.repairs,
        ratings=rows.ratings,
        ruptures=rows.ruptures,
        repair_program=programs.repair,
    )
