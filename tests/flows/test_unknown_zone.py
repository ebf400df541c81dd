"""A clinician whose stored zone this machine's tz database does not know (moved to a host
with older tz data, say) is read in UTC wherever they look back, never turned away with an
error."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import FixedClock
from reflect_bot.flows import export, goals, journal, portfolio, supervision
from reflect_bot.flows.portfolio import Logged
from tests.flows.conftest import NOW, add_clinician, add_goal, add_reflection

UNKNOWN = "America/Not_Yet_In_This_Tzdata"


async def test_journal_export_goals_cpd_and_the_brief_read_an_unknown_zone_as_utc(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    clinician = await add_clinician(sessions, user=71, zone=UNKNOWN)
    assert clinician.timezone == UNKNOWN
    await add_reflection(
        sessions,
        catalog,
        clinician=clinician,
        program_id="secure-base",
        answers=[("safety", 4), ("safe_because", "A steady voice"), ("pull", "closer")],
    )

    page = await journal.page(sessions, clinician=clinician, offset=0)
    assert [listed.started.tzinfo for listed in page.listed] == [UTC]

    asked = export.read_request(catalog, clock, clinician=clinician, args=["week"])
    assert isinstance(asked, export.Asked) and asked.zone_name == "UTC"
    exported = await export.gather(sessions, catalog, clinician=clinician, asked=asked)
    assert len(exported.entries) == 1 and exported.zone_name == "UTC"

    assert await goals.open_goals(sessions, clock, clinician=clinician) == []
    goal_id = await add_goal(sessions, clinician)
    chosen = await goals.choose_follow_up(
        sessions, clock, clinician=clinician, goal_id=goal_id, weeks=2
    )
    assert isinstance(chosen, goals.FollowUpSet) and chosen.on == NOW.date() + timedelta(weeks=2)

    logged = await portfolio.log_activity(
        sessions, clock, clinician=clinician, words=["course", "1h", "Repairing", "ruptures"]
    )
    assert isinstance(logged, Logged)
    assert logged.activity.done_on == NOW.date()  # UTC's today
    overview = await portfolio.cpd_overview(sessions, catalog, clock, clinician=clinician)
    assert overview.progress.until == NOW.date()

    assert (await supervision.brief(sessions, clinician=clinician)).items == ()
