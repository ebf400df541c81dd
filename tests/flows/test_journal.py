"""The journal lists a clinician's own reflections newest first in their own time, opens only
their own, and an edit of a sent answer keeps the previous version."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Catalog, Step
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, AnswerRevision, Clinician
from reflect_bot.db.repositories import reflections
from reflect_bot.domain.journaling import GivenAnswer, ReflectionStatus
from reflect_bot.flows import journal
from reflect_bot.flows.journal import EditResult
from tests.flows.conftest import NOW, Given, add_clinician, add_reflection

SECURE_BASE: Given = [("safety", 4), ("safe_because", "Steady voice\nand more"), ("pull", "closer")]


def _shown(step: Step | None, answer: GivenAnswer) -> str:
    """The caller's words for a rating or choice (the reflection family supplies the real ones)."""
    return f"shown {answer.rating or answer.choice}"


async def _answers(sessions: async_sessionmaker[AsyncSession], reflection_id: int) -> list[Answer]:
    async with transaction(sessions) as session:
        return await reflections.answers_of(session, reflection_id=reflection_id)


async def _revisions(sessions: async_sessionmaker[AsyncSession]) -> list[str | None]:
    async with transaction(sessions) as session:
        query = select(col(AnswerRevision.text)).order_by(col(AnswerRevision.id))
        return list((await session.execute(query)).scalars())


async def test_pages_list_own_reflections_newest_first_in_local_time(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog
) -> None:
    ana = await add_clinician(sessions, user=11, zone="Pacific/Auckland")
    ben = await add_clinician(sessions, user=12)
    assert (await journal.page(sessions, clinician=ana, offset=0)).listed == ()
    ids = []
    for day in range(7):
        reflection = await add_reflection(
            sessions,
            catalog,
            clinician=ana,
            program_id="secure-base",
            answers=SECURE_BASE,
            started_at=NOW - timedelta(days=7 - day),
        )
        ids.append(reflection.id)
    await add_reflection(
        sessions, catalog, clinician=ben, program_id="secure-base", answers=SECURE_BASE
    )

    first = await journal.page(sessions, clinician=ana, offset=0)
    assert (first.offset, first.size, first.total) == (0, journal.PAGE_SIZE, 7)
    assert [line.reflection_id for line in first.listed] == ids[::-1][:5]
    newest = first.listed[0]
    assert newest.started == NOW - timedelta(days=1)
    assert newest.started.tzinfo == ZoneInfo("Pacific/Auckland")
    assert newest.started.hour == 3  # 14:30 UTC is 03:30 the next day in Auckland
    assert (newest.title, newest.status) == ("Secure base and my attachment history", "completed")
    assert newest.preview == "Steady voice\nand more"

    second = await journal.page(sessions, clinician=ana, offset=5)
    assert [line.reflection_id for line in second.listed] == ids[1::-1]

    # Past the end (the journal shrank meanwhile): the first page again.
    beyond = await journal.page(sessions, clinician=ana, offset=50)
    assert beyond.offset == 0 and beyond.listed == first.listed


async def test_only_own_reflections_open_with_the_way_to_carry_on(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    ben = await add_clinician(sessions, user=12)
    done = await add_reflection(
        sessions, catalog, clinician=ana, program_id="secure-base", answers=SECURE_BASE
    )
    assert done.id is not None

    opened = await journal.open_reflection(
        sessions, catalog, clock, clinician=ana, reflection_id=done.id
    )
    assert opened is not None
    assert opened.started == NOW - timedelta(days=1)
    assert [(step and step.id, a.step_id) for step, a in opened.answers] == [
        ("safety", "safety"),
        ("safe_because", "safe_because"),
        ("pull", "pull"),
    ]
    assert opened.seconds_spent > 0
    assert not opened.can_continue and not opened.resumable
    assert (
        await journal.open_reflection(
            sessions, catalog, clock, clinician=ben, reflection_id=done.id
        )
        is None
    )
    assert (
        await journal.open_reflection(sessions, catalog, clock, clinician=ana, reflection_id=999)
        is None
    )

    open_now = await add_reflection(
        sessions,
        catalog,
        clinician=ana,
        program_id="secure-base",
        answers=SECURE_BASE[:1],
        started_at=NOW - timedelta(hours=1),
        finished=False,
    )
    assert open_now.id is not None
    opened = await journal.open_reflection(
        sessions, catalog, clock, clinician=ana, reflection_id=open_now.id
    )
    assert opened is not None and opened.status == ReflectionStatus.IN_PROGRESS
    assert opened.can_continue and not opened.resumable

    async with transaction(sessions) as session:
        await reflections.finish(
            session, reflection=open_now, status=ReflectionStatus.INCOMPLETE, now=NOW
        )
    opened = await journal.open_reflection(
        sessions, catalog, clock, clinician=ana, reflection_id=open_now.id
    )
    assert opened is not None and opened.can_continue and opened.resumable
    clock.advance(timedelta(days=8))  # set aside too long ago to resume
    opened = await journal.open_reflection(
        sessions, catalog, clock, clinician=ana, reflection_id=open_now.id
    )
    assert opened is not None and not opened.can_continue

    async with transaction(sessions) as session:
        await reflections.discard(session, reflection=open_now, now=NOW)
    assert (
        await journal.open_reflection(
            sessions, catalog, clock, clinician=ana, reflection_id=open_now.id
        )
        is None
    )


async def test_an_edit_updates_the_answer_and_keeps_the_previous_version(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    ben = await add_clinician(sessions, user=12)
    written = await add_reflection(
        sessions,
        catalog,
        clinician=ana,
        program_id="secure-base",
        answers=SECURE_BASE,
        first_message_id=100,
    )
    assert written.id is not None

    async def edit(text: str, message_id: int = 100, who: Clinician = ana) -> journal.Edited | None:
        return await journal.edit_answer(
            sessions,
            catalog,
            clock,
            clinician=who,
            telegram_message_id=message_id,
            edited=text,
            shown=_shown,
        )

    assert await edit("Calm voice") == journal.Edited(
        EditResult.UPDATED, written.id, "safe_because", written=True
    )
    assert await _revisions(sessions) == ["Steady voice\nand more"]
    stored = {a.step_id: a for a in await _answers(sessions, written.id)}
    assert stored["safe_because"].text == "Calm voice"
    assert stored["safe_because"].edited_at == clock.now()

    assert await edit("Calm voice") == journal.Edited(
        EditResult.UNCHANGED, written.id, "safe_because", written=True
    )
    assert await edit("   ") == journal.Edited(
        EditResult.NOT_UNDERSTOOD, written.id, "safe_because", written=True
    )
    assert await _revisions(sessions) == ["Steady voice\nand more"]

    # Someone else's message, or a message that held no answer: nothing to edit.
    assert await edit("Mine now", who=ben) is None
    assert await edit("Calm voice", message_id=555) is None


async def test_an_edited_rating_keeps_the_previous_one_in_the_callers_words(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    rated = await add_reflection(
        sessions, catalog, clinician=ana, program_id="secure-base", answers=SECURE_BASE[:1]
    )
    assert rated.id is not None
    async with transaction(sessions) as session:  # a typed rating remembers its message
        answer = (await reflections.answers_of(session, reflection_id=rated.id))[0]
        answer.telegram_message_id = 300
        session.add(answer)

    # A typed "²" is read as the 2 it shows (no error), as ratings typed anywhere are.
    edited = await journal.edit_answer(
        sessions, catalog, clock, clinician=ana, telegram_message_id=300, edited="²", shown=_shown
    )
    assert edited == journal.Edited(EditResult.UPDATED, rated.id, "safety", written=False)
    assert await _revisions(sessions) == ["shown 4"]
    assert (await _answers(sessions, rated.id))[0].rating == 2

    for typed, result in (("2", EditResult.UNCHANGED), ("lots", EditResult.NOT_UNDERSTOOD)):
        again = await journal.edit_answer(
            sessions,
            catalog,
            clock,
            clinician=ana,
            telegram_message_id=300,
            edited=typed,
            shown=_shown,
        )
        assert again is not None and again.result is result, typed
    assert (await _answers(sessions, rated.id))[0].rating == 2
    assert await _revisions(sessions) == ["shown 4"]
