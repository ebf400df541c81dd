"""Loading digest weeks from the database, on SQLite and PostgreSQL.

What must hold: a week is the clinician's own ISO week (DST included), only completed
reflections count, text comes back decrypted, ratings and history are right, the number of
queries does not depend on how many clinicians are loaded, and a week's digest is claimed once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Clinician, Delivery, Reflection
from reflect_bot.db.repositories import digests, reflection_concepts
from reflect_bot.domain.digest import (
    DigestPrograms,
    IsoWeek,
    RatingTally,
    RuptureReport,
    WrittenAnswer,
)
from reflect_bot.domain.suggestions import Carried, CarriedConcept
from reflect_bot.domain.timezones import resolve
from tests import factories
from tests.factories import add

W10 = IsoWeek(2026, 10)  # 2–8 March 2026; New York springs forward on Sunday the 8th
T0 = datetime(2026, 3, 1, tzinfo=UTC)
# The rows below name the shipped programs, as the catalog does (see test_catalog_content).
PROGRAMS = DigestPrograms(
    checkin="post-session-checkin", repair="rupture-repair", empathy="empathy-attunement"
)


class World:
    """Writes clinicians, reflections, answers and deliveries as the bot would."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = 0

    async def clinician(self, zone: str | None) -> Clinician:
        self.users += 1
        return await add(
            self.session,
            factories.clinician(
                user=5000 + self.users, zone=zone, consented_at=None, created_at=T0
            ),
        )

    async def reflection(
        self,
        clinician: Clinician,
        program_id: str,
        finished_at: datetime,
        *,
        status: str = "completed",
        texts: tuple[str, ...] = (),
        ratings: dict[str, int] | None = None,
        rupture: str | None = None,
    ) -> Reflection:
        assert clinician.id is not None
        reflection = await add(
            self.session,
            factories.reflection(
                clinician_id=clinician.id,
                program_id=program_id,
                status=status,
                started_at=finished_at - timedelta(minutes=4),
                last_activity_at=finished_at,
                finished_at=finished_at if status == "completed" else None,
                seconds_spent=240,
            ),
        )
        reflection_id = reflection.id
        assert reflection_id is not None
        answers: list[Answer] = []

        def answer(
            step_id: str,
            question: str,
            *,
            text: str | None = None,
            rating: int | None = None,
            choice: str | None = None,
        ) -> None:
            answers.append(
                factories.answer(
                    reflection_id=reflection_id,
                    step_id=step_id,
                    position=len(answers) + 1,
                    question=question,
                    text=text,
                    rating=rating,
                    choice=choice,
                    answered_at=finished_at,
                )
            )

        for step, value in (ratings or {}).items():
            answer(step, f"{step}?", rating=value)
        if rupture is not None:
            answer("rupture", "Rupture?", choice=rupture)
        for n, t in enumerate(texts):
            answer(f"text{n}", "Say?", text=t)
        answer("skipped", "Skipped?")
        for row in answers:
            self.session.add(row)
        await self.session.flush()
        return reflection

    async def delivery(
        self, clinician: Clinician, sent_at: datetime, *, kind: str = "prompt", status: str = "sent"
    ) -> int:
        assert clinician.id is not None
        schedule = await add(
            self.session, factories.schedule(clinician_id=clinician.id, kind=kind, created_at=T0)
        )
        assert schedule.id is not None
        delivery = await add(
            self.session,
            factories.delivery(
                clinician_id=clinician.id,
                schedule_id=schedule.id,
                kind=kind,
                due_at=sent_at,
                status=status,
                sent_at=sent_at if status == "sent" else None,
                created_at=T0,
            ),
        )
        assert delivery.id is not None
        return delivery.id


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def test_a_week_is_the_clinicians_own_iso_week_across_dst(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """In New York the week runs 05:00 UTC Monday to 04:00 UTC next Monday (DST began);
    in Kolkata (a fixed +05:30 zone) it starts 18:30 UTC on Sunday."""
    async with transaction(sessions) as session:
        world = World(session)
        new_york = await world.clinician("America/New_York")
        kolkata = await world.clinician("UTC+05:30")
        nowhere = await world.clinician(None)  # no zone yet: UTC
        for moment in (
            utc(2026, 3, 2, 4, 59),
            utc(2026, 3, 2, 5),
            utc(2026, 3, 9, 3, 59),
            utc(2026, 3, 9, 4),
        ):
            for clinician in (new_york, kolkata, nowhere):
                await world.reflection(clinician, "secure-base", moment)
        await world.reflection(new_york, "secure-base", utc(2026, 3, 4, 12), status="incomplete")

    async with sessions() as session:
        loaded = await digests.load_weeks(
            session,
            clinicians=[
                (c.id, c.timezone) for c in (new_york, kolkata, nowhere) if c.id is not None
            ],
            week=W10,
            programs=PROGRAMS,
        )

    def finished(clinician: Clinician) -> list[datetime]:
        assert clinician.id is not None
        # In no particular order (the digest sorts them): PostgreSQL's join may not keep one.
        return sorted(r.finished_at for r in loaded[clinician.id].week.reflections)

    assert finished(new_york) == [utc(2026, 3, 2, 5), utc(2026, 3, 9, 3, 59)]
    # Kolkata's week: 1 March 18:30 UTC to 8 March 18:30 UTC.
    assert finished(kolkata) == [utc(2026, 3, 2, 4, 59), utc(2026, 3, 2, 5)]
    assert finished(nowhere) == [utc(2026, 3, 2, 4, 59), utc(2026, 3, 2, 5)]
    assert loaded[nowhere.id or 0].week.zone == "UTC"


async def test_the_weeks_words_ruptures_ratings_and_prompts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Text answers come back decrypted; only the check-in's rupture question counts and
    "none" is no rupture; ratings are tallied per step; only prompts sent in the week count."""
    async with transaction(sessions) as session:
        world = World(session)
        clinician = await world.clinician("Europe/London")
        checkin = await world.reflection(
            clinician,
            "post-session-checkin",
            utc(2026, 3, 3, 18),
            texts=("She went quiet & looked away <again>.",),
            ratings={
                "bond": 4,
                "goals": 3,
                "tasks": 5,
                "overall": 4,
                "client_rating": 2,
                "client_reported": 5,
            },
            rupture="withdrawal",
        )
        await world.reflection(
            clinician,
            "post-session-checkin",
            utc(2026, 3, 5, 18),
            ratings={"bond": 5, "goals": 4},
            rupture="none",
        )
        await world.reflection(
            clinician, "rupture-repair", utc(2026, 3, 5, 20), rupture="withdrawal"
        )
        await world.delivery(clinician, utc(2026, 3, 3, 9))
        await world.delivery(clinician, utc(2026, 3, 4, 9))
        await world.delivery(clinician, utc(2026, 3, 5, 9), status="missed")
        await world.delivery(clinician, utc(2026, 3, 8, 18), kind="digest")
        await world.delivery(clinician, utc(2026, 2, 27, 9))

    async with sessions() as session:
        assert clinician.id is not None
        loaded = await digests.load_week(session, clinician=clinician, week=W10, programs=PROGRAMS)

    done = sorted(loaded.week.reflections, key=lambda r: (r.finished_at, r.id))  # as shown
    assert [r.program_id for r in done] == [
        "post-session-checkin",
        "post-session-checkin",
        "rupture-repair",
    ]
    assert checkin.id is not None
    position = 8  # after six ratings and the rupture answer
    assert loaded.week.answers == (
        WrittenAnswer(checkin.id, position, "She went quiet & looked away <again>."),
    )
    assert loaded.week.ruptures == (RuptureReport(checkin.id, "withdrawal"),)
    assert loaded.week.ratings == {
        "bond": RatingTally(9, 2),
        "goals": RatingTally(7, 2),
        "tasks": RatingTally(5, 1),
        "overall": RatingTally(4, 1),
        # The clinician's guess of the client's view and the client's own score, apart.
        "client_rating": RatingTally(2, 1),
        "client_reported": RatingTally(5, 1),
    }
    assert loaded.week.prompts_delivered == 2


async def test_history_streak_empathy_and_the_four_weeks_before(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Weeks in a row stop at the first week without a completed reflection; ratings are
    compared with the four weeks before only."""
    async with transaction(sessions) as session:
        world = World(session)
        clinician = await world.clinician("Europe/London")
        monday = utc(2026, 3, 2, 12)
        for weeks_ago in (1, 2, 4, 5, 6):
            await world.reflection(clinician, "secure-base", monday - timedelta(weeks=weeks_ago))
        await world.reflection(
            clinician, "empathy-attunement", monday - timedelta(weeks=6, days=-1)
        )
        await world.reflection(
            clinician, "empathy-attunement", monday - timedelta(weeks=3), status="incomplete"
        )
        for weeks_ago, bond in ((1, 2), (4, 4), (5, 5)):
            await world.reflection(
                clinician,
                "post-session-checkin",
                monday - timedelta(weeks=weeks_ago),
                ratings={"bond": bond},
            )
        await world.reflection(clinician, "post-session-checkin", monday, ratings={"bond": 3})

    async with sessions() as session:
        loaded = await digests.load_week(session, clinician=clinician, week=W10, programs=PROGRAMS)

    assert loaded.history.weeks_in_a_row == 2  # weeks 9 and 8; week 7 had only an incomplete one
    assert loaded.history.last_empathy_week == W10.shifted(-6)
    # Weeks 9 and 6 (one and four back); week 5 is beyond the comparison.
    assert loaded.history.previous_ratings == {"bond": RatingTally(6, 2)}
    assert loaded.week.ratings == {"bond": RatingTally(3, 1)}


async def test_history_counts_local_weeks_across_a_clock_change_and_the_new_year(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Sunday 22:00 in New York is already Monday in UTC. Weeks are the clinician's own:
    through the end of daylight saving (1 November 2026) and ISO week 2026-W53, which
    ends on Sunday 3 January 2027, each reflection stays in the local week it was done in."""
    new_york = resolve("America/New_York")
    digest_week = IsoWeek(2027, 1)

    def sunday_evening(week: IsoWeek) -> datetime:
        return datetime.combine(week.end, time(22), tzinfo=new_york).astimezone(UTC)

    async with transaction(sessions) as session:
        world = World(session)
        clinician = await world.clinician("America/New_York")
        for week in range(44, 54):  # 2026-W44 (the clocks go back that Sunday) to W53
            await world.reflection(clinician, "secure-base", sunday_evening(IsoWeek(2026, week)))
        w53 = sunday_evening(IsoWeek(2026, 53))
        await world.reflection(clinician, "empathy-attunement", w53)
        checkin = "post-session-checkin"
        # Five weeks back: beyond the comparison, though in UTC it is four weeks back.
        await world.reflection(
            clinician, checkin, sunday_evening(IsoWeek(2026, 49)), ratings={"bond": 1}
        )
        await world.reflection(clinician, checkin, w53, ratings={"bond": 4})
        # The digest's week: its local Monday 00:30 and its Sunday evening.
        await world.reflection(clinician, checkin, utc(2027, 1, 4, 5, 30), ratings={"bond": 5})
        await world.reflection(clinician, checkin, sunday_evening(digest_week), ratings={"bond": 3})

    async with sessions() as session:
        loaded = await digests.load_week(
            session, clinician=clinician, week=digest_week, programs=PROGRAMS
        )

    assert w53 == utc(2027, 1, 4, 3)  # Monday of the digest's week, in UTC
    assert sorted(r.finished_at for r in loaded.week.reflections) == [
        utc(2027, 1, 4, 5, 30),
        utc(2027, 1, 11, 3),
    ]
    assert loaded.history.weeks_in_a_row == 10  # 2026-W53 back to W44
    assert loaded.history.last_empathy_week == IsoWeek(2026, 53)
    assert loaded.history.previous_ratings == {"bond": RatingTally(4, 1)}
    assert loaded.week.ratings == {"bond": RatingTally(8, 2)}


@contextmanager
def counting_queries(sessions: async_sessionmaker[AsyncSession]) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = sessions.kw["bind"].sync_engine

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_the_number_of_queries_does_not_grow_with_the_clinicians(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    zones = ["Europe/London", "America/New_York", "UTC+05:30", "Australia/Sydney", None]
    async with transaction(sessions) as session:
        world = World(session)
        clinicians = []
        for n in range(12):
            clinician = await world.clinician(zones[n % len(zones)])
            clinicians.append(clinician)
            await world.reflection(
                clinician,
                "post-session-checkin",
                utc(2026, 3, 4, 12),
                texts=("trust",),
                ratings={"bond": 4},
                rupture="unsure",
            )
            await world.reflection(clinician, "secure-base", utc(2026, 2, 25, 12))
            await world.delivery(clinician, utc(2026, 3, 4, 9))

    async def queries_for(count: int, *, side: bool = False) -> int:
        chosen = [(c.id, c.timezone) for c in clinicians[:count] if c.id is not None]
        async with sessions() as session:
            with counting_queries(sessions) as statements:
                loaded = await digests.load_weeks(
                    session,
                    clinicians=chosen,
                    week=W10,
                    programs=PROGRAMS,
                    side_sessions=sessions if side else None,
                )
        assert len(loaded) == count
        assert all(
            len(week.week.reflections) == 1 and week.history.weeks_in_a_row == 1
            for week in loaded.values()
        )
        return len(statements)

    assert await queries_for(1) == await queries_for(2) == await queries_for(12) == 7
    # The aggregates on side connections, at the same time: the same seven queries.
    assert await queries_for(12, side=True) == 7


async def test_a_weeks_digest_is_claimed_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The first delivery claims the week; it may ask again (a retry), another may not,
    unless the first one never sent it."""
    async with transaction(sessions) as session:
        world = World(session)
        clinician = await world.clinician("Europe/London")
        friday, sunday, next_sunday = [
            await world.delivery(clinician, moment, kind="digest", status="pending")
            for moment in (utc(2026, 3, 6, 18), utc(2026, 3, 8, 18), utc(2026, 3, 15, 18))
        ]
    assert clinician.id is not None
    now = utc(2026, 3, 8, 18)

    async def claim(delivery_id: int, week: IsoWeek = W10) -> bool:
        assert clinician.id is not None
        async with transaction(sessions) as session:
            return await digests.record_sent(
                session, clinician_id=clinician.id, week=week, delivery_id=delivery_id, now=now
            )

    assert await claim(friday)
    assert await claim(friday)
    assert not await claim(sunday)
    assert await claim(next_sunday, W10.shifted(1))
    async with sessions() as session:
        row = await digests.sent_digest(session, clinician_id=clinician.id, week=W10)
    assert row is not None and (row.week_start, row.delivery_id) == (date(2026, 3, 2), friday)

    async with transaction(sessions) as session:
        await session.execute(
            update(Delivery).where(col(Delivery.id) == friday).values(status="failed")
        )
    assert await claim(sunday)
    assert not await claim(friday)


async def test_the_week_carries_its_reflections_concepts_and_no_others(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The cards each of the week's completed reflections carried by meaning (kept, removed
    or not decided) are loaded with it; those of other weeks' reflections are not."""
    async with transaction(sessions) as session:
        world = World(session)
        ana = await world.clinician("Europe/London")
        this_week = await world.reflection(
            ana, "empathy-attunement", datetime(2026, 3, 4, 12, tzinfo=UTC), texts=("a", "b")
        )
        earlier = await world.reflection(
            ana, "empathy-attunement", datetime(2026, 2, 25, 12, tzinfo=UTC), texts=("c",)
        )
        assert this_week.id is not None and earlier.id is not None
        await reflection_concepts.record_carried(
            session,
            reflection_id=this_week.id,
            found=(Carried("empathy", 0.7, 2, 0), Carried("rupture-and-repair", 0.6, 1, 1)),
        )
        await reflection_concepts.record_carried(
            session, reflection_id=earlier.id, found=(Carried("secure-base", 0.6, 1, 0),)
        )
        await reflection_concepts.decide(
            session, reflection_id=this_week.id, slug="rupture-and-repair", kept=False, now=T0
        )
        assert ana.id is not None
        loaded = await digests.load_weeks(
            session, clinicians=[(ana.id, ana.timezone)], week=W10, programs=PROGRAMS
        )
    carried = loaded[ana.id].week.carried
    assert set(carried) == {this_week.id}
    assert sorted(carried[this_week.id]) == [
        CarriedConcept("empathy", None, 2, 0),
        CarriedConcept("rupture-and-repair", False, 1, 1),
    ]
