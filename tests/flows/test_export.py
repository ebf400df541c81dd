"""/export reads its request in the clinician's own time and gathers only their own journal,
naming them only when they allowed it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.domain.export import ExportProblem, ExportScope
from reflect_bot.flows import export
from tests.flows.conftest import Given, add_clinician, add_reflection

FEELING: Given = [("intensity_before", 4), ("feeling", "Frustration"), ("family", "anger")]
# Sunday 23:30 in London is already Monday in Auckland.
LATE_SUNDAY = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)


async def test_a_request_is_read_in_the_clinicians_own_time(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog
) -> None:
    clock = FixedClock(LATE_SUNDAY)
    london = await add_clinician(sessions, user=11, zone="Europe/London")
    auckland = await add_clinician(sessions, user=12, zone="Pacific/Auckland")
    nowhere = await add_clinician(sessions, user=13, zone=None)

    week = export.read_request(catalog, clock, clinician=london, args=["week"])
    assert isinstance(week, export.Asked)
    assert (week.request.scope, week.request.start, week.request.end) == (
        ExportScope.WEEK,
        date(2026, 11, 2),
        date(2026, 11, 8),
    )
    ahead = export.read_request(catalog, clock, clinician=auckland, args=["week"])
    assert isinstance(ahead, export.Asked) and ahead.today == date(2026, 11, 9)
    assert ahead.request.start == date(2026, 11, 9) and ahead.zone_name == "Pacific/Auckland"
    utc = export.read_request(catalog, clock, clinician=nowhere, args=[])
    assert isinstance(utc, export.Asked) and utc.zone_name == "UTC"


async def test_arguments_that_cannot_be_read_say_why_without_an_error(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog
) -> None:
    """Including a typed "²": `"²".isdigit()` is true, yet it is no date."""
    clock = FixedClock(LATE_SUNDAY)
    ana = await add_clinician(sessions, user=11)
    cases = {
        ("²",): (ExportProblem.BAD_DATE, "²"),
        ("²", "³"): (ExportProblem.BAD_DATE, "²"),
        ("2026-11-01",): (ExportProblem.ONE_DATE, "2026-11-01"),
        ("2026-11-30", "2026-11-01"): (ExportProblem.REVERSED, "2026-11-30 2026-11-01"),
        ("concept", "no-such-idea"): (ExportProblem.UNKNOWN_CONCEPT, "no-such-idea"),
        ("sometime",): (ExportProblem.USAGE, "sometime"),
    }
    for args, (problem, typed) in cases.items():
        read = export.read_request(catalog, clock, clinician=ana, args=list(args))
        assert read == export.NotUnderstood(problem, typed, date(2026, 11, 8)), args


async def test_the_journal_holds_only_the_clinicians_own_reflections(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog
) -> None:
    clock = FixedClock(LATE_SUNDAY)
    ana = await add_clinician(sessions, user=11, name="Ana Ruiz")
    ben = await add_clinician(sessions, user=12, name="Ben Cole")
    for days_ago in (1, 10):
        await add_reflection(
            sessions,
            catalog,
            clinician=ana,
            program_id="affect-labeling",
            answers=FEELING,
            started_at=LATE_SUNDAY - timedelta(days=days_ago),
        )
    await add_reflection(
        sessions, catalog, clinician=ben, program_id="affect-labeling", answers=FEELING
    )

    everything = export.read_request(catalog, clock, clinician=ana, args=[])
    assert isinstance(everything, export.Asked)
    journal = await export.gather(sessions, catalog, clinician=ana, asked=everything)
    assert journal.totals.reflections == 2 and journal.author is None
    assert journal.exported_at == LATE_SUNDAY

    async with transaction(sessions) as session:  # Ana allows her name in exports
        ana.name_in_export = True
        session.add(ana)
    this_week = export.read_request(catalog, clock, clinician=ana, args=["week"])
    assert isinstance(this_week, export.Asked)
    journal = await export.gather(sessions, catalog, clinician=ana, asked=this_week)
    assert journal.totals.reflections == 1 and journal.author == "Ana Ruiz"

    other = export.read_request(catalog, clock, clinician=ana, args=["program", "secure-base"])
    assert isinstance(other, export.Asked)
    assert (await export.gather(sessions, catalog, clinician=ana, asked=other)).is_empty
