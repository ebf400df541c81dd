"""Portfolio use cases on a real database: a profile is the clinician's own choice, the CPD
record and the accounts hold only their own rows, and a choice is asked only about their own
reflections."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog, CpdKind
from reflect_bot.clock import FixedClock
from reflect_bot.db.models import Clinician
from reflect_bot.domain.cpd import CpdProblem
from reflect_bot.domain.portfolio import GapKind
from reflect_bot.flows import export, portfolio
from tests.flows.conftest import NOW, Given, add_clinician, add_reflection

THREE_QUESTIONS: Given = [
    ("what", "A long pause after I named the ending date."),
    ("my_part", "I rushed in with reassurance."),
    ("so_what", "Endings may stir old losses for them."),
    ("matters", "The ending is part of the work, not an admin step."),
    ("now_what", "Bring the ending up early next time and ask what it stirs."),
]


async def test_the_profile_is_offered_once_and_can_be_changed(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=21)
    assert await portfolio.should_offer_profile(sessions, catalog, clock, clinician=ana)
    assert not await portfolio.should_offer_profile(sessions, catalog, clock, clinician=ana)
    chosen = await portfolio.choose_profile(
        sessions, catalog, clock, clinician=ana, profile_id="psyba"
    )
    assert isinstance(chosen, portfolio.ProfileChosen) and chosen.profile is not None
    assert chosen.profile.id == "psyba"
    unknown = await portfolio.choose_profile(
        sessions, catalog, clock, clinician=ana, profile_id="ahpra"
    )
    assert unknown == portfolio.UnknownProfile("ahpra")
    again = await add_clinician(sessions, user=21)  # as the bot reads them on the next update
    assert (again.portfolio_profile, again.profile_asked) == ("psyba", True)


async def test_cpd_progress_counts_only_the_clinicians_own_minutes(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=21)
    ben = await add_clinician(sessions, user=22)
    await portfolio.choose_profile(sessions, catalog, clock, clinician=ana, profile_id="psyba")
    await add_reflection(
        sessions, catalog, clinician=ana, program_id="what-so-what", answers=THREE_QUESTIONS
    )
    await add_reflection(
        sessions, catalog, clinician=ben, program_id="what-so-what", answers=THREE_QUESTIONS
    )
    for who, words in ((ana, "peer consultation 1h Case group"), (ben, "course 600 Not Ana's")):
        logged = await portfolio.log_activity(sessions, clock, clinician=who, words=words.split())
        assert isinstance(logged, portfolio.Logged)
    refused = await portfolio.log_activity(sessions, clock, clinician=ana, words=["course"])
    assert refused is CpdProblem.USAGE

    overview = await portfolio.cpd_overview(sessions, catalog, clock, clinician=ana)
    shown = overview.progress
    assert (shown.since, shown.until) == (date(2025, 11, 6), date(2026, 11, 5))
    assert shown.minutes == 5 + 60  # five answers a minute apart, and the consultation
    assert dict(shown.by_kind) == {CpdKind.REFLECTION: 5, CpdKind.PEER_CONSULTATION: 60}
    assert shown.of_kind_minutes == 60
    assert [a.entry.program_id for a in overview.ready] == ["what-so-what"]
    assert overview.lacking == ()


async def test_a_choice_is_asked_only_about_ones_own_reflection(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=21)
    ben = await add_clinician(sessions, user=22)
    for who in (ana, ben):
        await portfolio.choose_profile(sessions, catalog, clock, clinician=who, profile_id="nmc")
    mine = await add_reflection(
        sessions, catalog, clinician=ana, program_id="what-so-what", answers=THREE_QUESTIONS
    )
    assert mine.id is not None
    overview = await portfolio.cpd_overview(sessions, catalog, clock, clinician=ana)
    (account,) = overview.lacking
    assert [gap.kind for gap in account.lacks] == [GapKind.CHOICE]

    def pick(who: Clinician, option: str) -> Awaitable[portfolio.ChoiceAsked | None]:
        assert mine.id is not None
        return portfolio.pick_option(
            sessions,
            catalog,
            clock,
            clinician=who,
            reflection_id=mine.id,
            choice_id="code_themes",
            option_id=option,
        )

    assert await pick(ben, "people") is None
    # Several may be picked: a second press of one takes it back.
    picks = [await pick(ana, option) for option in ("trust", "people", "trust")]
    assert [p.picked if p else None for p in picks] == [
        ("trust",),
        ("people", "trust"),
        ("people",),
    ]

    asked = export.read_request(catalog, clock, clinician=ana, args=["docx"])
    assert isinstance(asked, export.Asked) and asked.request.profile == "nmc"
    gathered = await portfolio.gather_evidence(sessions, catalog, clinician=ana, asked=asked)
    (account,) = gathered.evidence.accounts
    assert account.parts[-1].chosen == ("Prioritise people",)
    assert account.is_ready
    overview = await portfolio.cpd_overview(sessions, catalog, clock, clinician=ben)
    assert overview.ready == overview.lacking == ()


async def test_the_cpd_log_for_a_range_holds_that_range(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=21)
    await add_reflection(
        sessions, catalog, clinician=ana, program_id="what-so-what", answers=THREE_QUESTIONS,
        started_at=NOW - timedelta(days=40),
    )  # fmt: skip
    await portfolio.log_activity(sessions, clock, clinician=ana, words=["reading", "30", "Ch", "3"])
    whole = export.read_request(catalog, clock, clinician=ana, args=["cpd", "csv"])
    assert isinstance(whole, export.Asked)
    log = await portfolio.gather_cpd_log(sessions, catalog, clinician=ana, asked=whole)
    assert [line.kind for line in log.lines] == [CpdKind.REFLECTION, CpdKind.READING]
    assert log.minutes == 35
    week = export.read_request(catalog, clock, clinician=ana, args=["cpd", "week"])
    assert isinstance(week, export.Asked)
    log = await portfolio.gather_cpd_log(sessions, catalog, clinician=ana, asked=week)
    assert [line.title for line in log.lines] == ["Ch 3"]
    assert (log.start, log.end) == (date(2026, 11, 2), date(2026, 11, 8))
