"""The alliance trend of one clinician, or of a batch of weekly digests: their check-ins over
the last weeks, grouped into weeks of each clinician's own time zone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories.trends import load_trends
from reflect_bot.domain.digest import DigestPrograms, IsoWeek
from reflect_bot.domain.timezones import local_zone
from reflect_bot.domain.trend import AllianceTrend, build_trend, span

# Local weeks of every zone on Earth fit inside the UTC weeks widened by this much.
_ZONE_SLACK = timedelta(days=1)


async def alliance_trend(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    *,
    clinician_id: int,
    zone_name: str | None,
    now: datetime,
    weeks: int,
) -> AllianceTrend:
    """The `weeks` weeks ending with the clinician's current week (one read-only transaction)."""
    zone = local_zone(zone_name)
    last = IsoWeek.containing(now.astimezone(zone).date())
    async with transaction(sessions) as session:
        trends = await batch_trends(
            session, catalog, clinicians={clinician_id: zone_name}, last_week=last, weeks=weeks
        )
    return trends[clinician_id]


async def batch_trends(
    session: AsyncSession,
    catalog: Catalog,
    *,
    clinicians: Mapping[int, str | None],
    last_week: IsoWeek,
    weeks: int,
) -> dict[int, AllianceTrend]:
    """The trend over the same `weeks` ISO weeks ending with `last_week`, each clinician's
    weeks in their own zone (given as id → zone name): one query for all of them."""
    shown: Sequence[IsoWeek] = span(last_week, weeks)
    programs = DigestPrograms.of(catalog)
    start = datetime.combine(shown[0].start, time(0), tzinfo=UTC) - _ZONE_SLACK
    end = datetime.combine(shown[-1].end + timedelta(days=1), time(0), tzinfo=UTC) + _ZONE_SLACK
    rows = await load_trends(
        session, clinician_ids=list(clinicians), start=start, end=end, programs=programs
    )
    trends = {}
    for cid, zone_name in clinicians.items():
        zone = local_zone(zone_name)
        found = rows[cid]
        trends[cid] = build_trend(
            weeks=shown,
            zone=zone,
            check_ins=found.check_ins,
            repairs=found.repairs,
            ratings=found.ratings,
            ruptures=found.ruptures,
            repair_program=programs.repair,
        )
    return trends
