"""The alliance trend read from real rows, on SQLite and PostgreSQL: weeks of the clinician's
own time zone, gaps empty, ruptures and repairs counted, other clinicians' rows never seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import default_prompts_dir, load_catalog
from reflect_bot.db.engine import transaction
from reflect_bot.domain.digest import IsoWeek
from reflect_bot.flows.trend import alliance_trend
from tests.integration.journal_seed import seed_clinician, seed_reflection

SYDNEY = ZoneInfo("Australia/Sydney")
CATALOG = load_catalog(default_prompts_dir())
CHECKIN = CATALOG.program("post-session-checkin")
REPAIR = CATALOG.program("rupture-repair")


def _checkin(bond: int, rupture: str = "none") -> list[tuple[str, str | int]]:
    answers: list[tuple[str, str | int]] = [
        ("bond", bond),
        ("goals", 4),
        ("tasks", 3),
        ("overall", 4),
        ("rupture", rupture),
    ]
    if rupture != "none":
        answers += [("rupture_what", "She went quiet."), ("rupture_noticed", "Late.")]
        answers += [("rupture_named", "briefly")]
    return [*answers, ("client_rating", 4)]


async def test_trend_of_real_check_ins(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)  # Thursday of week 48
    monday_morning = datetime(2026, 11, 23, 7, 30, tzinfo=SYDNEY).astimezone(UTC)  # UTC: W47
    async with transaction(sessions) as session:
        ana = await seed_clinician(
            session, user_id=1, now=now - timedelta(days=60), zone="Australia/Sydney"
        )
        other = await seed_clinician(session, user_id=2, now=now - timedelta(days=60), name="Bo")
        assert ana.id is not None and other.id is not None
        for started, bond, rupture in (
            (now - timedelta(weeks=3), 2, "withdrawal"),  # W45
            (monday_morning - timedelta(hours=1), 5, "none"),  # W48 in Sydney
        ):
            await seed_reflection(
                session,
                clinician_id=ana.id,
                program=CHECKIN,
                answers=_checkin(bond, rupture),
                started_at=started,
            )
        await seed_reflection(
            session,
            clinician_id=ana.id,
            program=REPAIR,
            answers=[("rupture", "withdrawal"), ("moment", "The homework."), ("listening", "x")],
            started_at=now - timedelta(weeks=3) + timedelta(hours=2),
        )
        await seed_reflection(  # someone else's check-in in the same weeks
            session, clinician_id=other.id, program=CHECKIN, answers=_checkin(1), started_at=now
        )

    trend = await alliance_trend(
        sessions, CATALOG, clinician_id=ana.id, zone_name="Australia/Sydney", now=now, weeks=4
    )

    assert [week.week for week in trend.weeks] == [IsoWeek(2026, w) for w in (45, 46, 47, 48)]
    assert [week.tenths["bond"] for week in trend.weeks] == [20, None, None, 50]
    assert [(week.ruptures, week.repairs) for week in trend.weeks] == [
        (1, 1),
        (0, 0),
        (0, 0),
        (0, 0),
    ]
    assert [week.check_ins for week in trend.weeks] == [1, 0, 0, 1]
    assert trend.drawable
