"""/forget erases only the pressing clinician's own data; an answer that seems to identify a
client is noticed by kind, and replacing it leaves nothing of the old wording."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, AnswerRevision, Clinician
from reflect_bot.db.repositories import clinicians, reflections
from reflect_bot.domain.identifying import IdentifyingKind
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer
from reflect_bot.flows import privacy
from tests.flows.conftest import NOW, Given, add_clinician, add_reflection

NAMED = "My client Sarah went quiet; her email is sarah.k@example.org"
FEELING: Given = [("intensity_before", 4), ("feeling", NAMED), ("family", "anger")]


async def _answer(sessions: async_sessionmaker[AsyncSession], answer_id: int) -> Answer:
    async with transaction(sessions) as session:
        answer = await session.get(Answer, answer_id)
    assert answer is not None
    return answer


async def _revisions(sessions: async_sessionmaker[AsyncSession], answer_id: int) -> int:
    async with transaction(sessions) as session:
        query = select(func.count()).select_from(AnswerRevision)
        query = query.where(col(AnswerRevision.answer_id) == answer_id)
        return int((await session.execute(query)).scalar_one())


async def _reload(sessions: async_sessionmaker[AsyncSession], user: int) -> Clinician | None:
    async with transaction(sessions) as session:
        return await clinicians.get_by_user(session, telegram_user_id=user)


async def test_forget_counts_and_erases_only_the_confirming_clinicians_own_data(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog
) -> None:
    ana = await add_clinician(sessions, user=11)
    ben = await add_clinician(sessions, user=12)
    assert ana.id is not None and ben.id is not None
    for _ in range(2):
        await add_reflection(
            sessions, catalog, clinician=ana, program_id="affect-labeling", answers=FEELING
        )
    await add_reflection(
        sessions, catalog, clinician=ben, program_id="affect-labeling", answers=FEELING
    )

    held = await privacy.holdings(sessions, clinician_id=ana.id)
    assert (held.reflections, held.answers, held.schedules, held.digests) == (2, 6, 0, 0)

    # Ben pressing Ana's confirmation (or nobody consented pressing it) changes nothing.
    for presser in (ben.id, None):
        erased = await privacy.erase(
            sessions, clinician_id=presser, confirmed_for=ana.id, telegram_user_id=12
        )
        assert not erased
    assert await privacy.holdings(sessions, clinician_id=ana.id) == held

    assert await privacy.erase(
        sessions, clinician_id=ana.id, confirmed_for=ana.id, telegram_user_id=11
    )
    assert await _reload(sessions, 11) is None
    empty = await privacy.holdings(sessions, clinician_id=ana.id)
    assert (empty.reflections, empty.answers) == (0, 0)
    kept = await privacy.holdings(sessions, clinician_id=ben.id)
    assert (kept.reflections, kept.answers) == (1, 3)
    assert await _reload(sessions, 12) is not None


async def test_only_answers_with_identifying_details_are_suspected(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    reflection = await add_reflection(
        sessions, catalog, clinician=ana, program_id="affect-labeling", answers=FEELING
    )
    assert reflection.id is not None

    suspected = await privacy.suspect_answer(
        sessions, clock, clinician=ana, reflection_id=reflection.id, step_id="feeling", text=NAMED
    )
    assert suspected is not None
    assert suspected.kinds == (IdentifyingKind.EMAIL, IdentifyingKind.CLIENT_NAME)
    assert (await _answer(sessions, suspected.answer_id)).step_id == "feeling"

    ordinary = "Frustration, rated 4/5, since our 10:30 session on Monday"
    assert (
        await privacy.suspect_answer(
            sessions,
            clock,
            clinician=ana,
            reflection_id=reflection.id,
            step_id="feeling",
            text=ordinary,
        )
        is None
    )
    # Someone else's reflection is never looked up for them.
    ben = await add_clinician(sessions, user=12)
    assert (
        await privacy.suspect_answer(
            sessions,
            clock,
            clinician=ben,
            reflection_id=reflection.id,
            step_id="feeling",
            text=NAMED,
        )
        is None
    )


async def test_replacing_an_answer_deletes_every_earlier_wording(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    ben = await add_clinician(sessions, user=12)
    reflection = await add_reflection(
        sessions, catalog, clinician=ana, program_id="affect-labeling", answers=FEELING
    )
    assert reflection.id is not None
    suspected = await privacy.suspect_answer(
        sessions, clock, clinician=ana, reflection_id=reflection.id, step_id="feeling", text=NAMED
    )
    assert suspected is not None
    answer_id = suspected.answer_id
    async with transaction(sessions) as session:  # an edit earlier kept the old wording
        answer = await session.get(Answer, answer_id)
        assert answer is not None
        await reflections.revise_answer(
            session,
            answer=answer,
            revised=ReadAnswer("feeling", AnswerKind.TEXT, text=NAMED + " (edited)"),
            previous_as_text=NAMED,
            choice_label=None,
            now=NOW,
        )
    assert await _revisions(sessions, answer_id) == 1

    # Ben cannot ask to replace Ana's answer.
    assert not await privacy.wait_for_replacement(
        sessions, clock, clinician=ben, answer_id=answer_id
    )
    assert not privacy.awaits_replacement(ben, now=clock.now())

    assert await privacy.wait_for_replacement(sessions, clock, clinician=ana, answer_id=answer_id)
    ana = await _reload(sessions, 11) or ana
    assert privacy.awaits_replacement(ana, now=clock.now())
    assert not privacy.awaits_replacement(ana, now=clock.now() + timedelta(minutes=31))

    clock.advance(timedelta(minutes=5))
    replaced = await privacy.replace_answer(
        sessions, clock, clinician=ana, typed="A client went quiet when I named the pause."
    )
    assert replaced == privacy.Replaced(answer_id, ())
    stored = await _answer(sessions, answer_id)
    assert stored.text == "A client went quiet when I named the pause."
    assert stored.edited_at == clock.now()
    assert await _revisions(sessions, answer_id) == 0
    ana = await _reload(sessions, 11) or ana
    assert ana.awaiting is None and not privacy.awaits_replacement(ana, now=clock.now())

    # A new wording that still holds details is said to, so it can be replaced again.
    assert await privacy.wait_for_replacement(sessions, clock, clinician=ana, answer_id=answer_id)
    ana = await _reload(sessions, 11) or ana
    again = await privacy.replace_answer(
        sessions, clock, clinician=ana, typed="Call 07700 900123 tomorrow."
    )
    assert again == privacy.Replaced(answer_id, (IdentifyingKind.PHONE,))


async def test_a_replacement_for_an_answer_that_is_gone_is_not_stored(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    """Waiting for an answer that was deleted meanwhile, or an awaiting value the bot never
    wrote (such as "replace:²", whose digit `int()` would refuse), stores nothing and stops
    waiting."""
    ana = await add_clinician(sessions, user=11)
    for awaiting in ("replace:999", "replace:²", "replace:"):
        async with transaction(sessions) as session:
            await clinicians.set_awaiting(session, clinician=ana, awaiting=awaiting, now=NOW)
        assert privacy.awaits_replacement(ana, now=NOW)
        assert await privacy.replace_answer(sessions, clock, clinician=ana, typed="new") is None
        ana = await _reload(sessions, 11) or ana
        assert ana.awaiting is None
