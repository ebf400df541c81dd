"""Keeping or removing a suggested concept: only on one's own reflection, latest press wins,
and a discarded reflection takes its concepts with it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import ReflectionConcept
from reflect_bot.db.repositories import reflections
from reflect_bot.domain.suggestions import Carried
from reflect_bot.flows import reflection_concepts as flow
from reflect_bot.flows.reflection_concepts import Decided, NotTheirs
from tests.flows.conftest import add_clinician, add_reflection

RUPTURE = "rupture-and-repair"
CHECKIN = "post-session-checkin"


async def test_keep_then_remove_on_ones_own_reflection_only(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=1)
    ben = await add_clinician(sessions, user=2)
    assert ana.id is not None and ben.id is not None
    theirs = await add_reflection(
        sessions, catalog, clinician=ana, program_id=CHECKIN, answers=[("bond", 4)]
    )
    assert theirs.id is not None
    await flow.record_carried(
        sessions, reflection_id=theirs.id, found=(Carried(RUPTURE, 0.6, 6, 0),)
    )

    async def decide(clinician_id: int, slug: str, keep: bool) -> Decided | NotTheirs:
        return await flow.decide(
            sessions,
            catalog,
            clock,
            clinician_id=clinician_id,
            reflection_id=theirs.id or 0,
            slug=slug,
            keep=keep,
        )

    assert await decide(ben.id, RUPTURE, True) == NotTheirs()
    assert await decide(ana.id, "no-such-card", True) == NotTheirs()
    assert await decide(ana.id, RUPTURE, True) == Decided(theirs.id, {RUPTURE: True})
    assert await decide(ana.id, RUPTURE, False) == Decided(theirs.id, {RUPTURE: False})
    assert await decide(ana.id, "empathy", True) == Decided(
        theirs.id, {RUPTURE: False, "empathy": True}
    )

    async with transaction(sessions) as session:
        reflection = await reflections.get_owned(
            session, reflection_id=theirs.id, clinician_id=ana.id
        )
        assert reflection is not None
        await reflections.discard(session, reflection=reflection, now=clock.now())
        left = await session.execute(select(func.count()).select_from(ReflectionConcept))
        assert left.scalar_one() == 0
    assert await decide(ana.id, RUPTURE, True) == NotTheirs()
