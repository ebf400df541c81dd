"""The reflections repository on SQLite and PostgreSQL: one open reflection per clinician,
answers move the step on exactly once, staleness, the journal's view, and revisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Reflection
from reflect_bot.db.repositories import clinicians
from reflect_bot.db.repositories import reflections as store
from reflect_bot.domain.journaling import STALE_AFTER, AnswerKind, ReadAnswer, ReflectionStatus

NOW = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def _clinician(sessions: Sessions, user: int = 7) -> int:
    async with transaction(sessions) as session:
        clinician = await clinicians.register(
            session, telegram_user_id=user, chat_id=user, display_name=None, now=NOW
        )
    assert clinician.id is not None
    return clinician.id


async def _start(
    session: AsyncSession, clinician_id: int, *, now: datetime = NOW, step: str = "one"
) -> Reflection:
    return await store.start(
        session,
        clinician_id=clinician_id,
        program_id="secure-base",
        program_title="Secure base",
        first_step_id=step,
        now=now,
    )


def _text(step: str, value: str) -> ReadAnswer:
    return ReadAnswer(step, AnswerKind.TEXT, text=value)


async def _answer(
    session: AsyncSession,
    reflection: Reflection,
    step: str,
    value: str,
    following: str | None,
    *,
    now: datetime = NOW,
    message_id: int | None = None,
) -> bool:
    return await store.save_answer(
        session,
        reflection=reflection,
        step_id=step,
        position=1,
        question=f"Question {step}?",
        answer=_text(step, value),
        choice_label=None,
        next_step_id=following,
        now=now,
        telegram_message_id=message_id,
    )


async def test_only_one_reflection_in_progress_per_clinician(sessions: Sessions) -> None:
    clinician_id = await _clinician(sessions)
    async with transaction(sessions) as session:
        await _start(session, clinician_id)
    with pytest.raises(IntegrityError):
        async with transaction(sessions) as session:
            await _start(session, clinician_id)
    other = await _clinician(sessions, user=8)
    async with transaction(sessions) as session:
        await _start(session, other)  # someone else may have their own


async def test_an_answer_moves_the_step_once(sessions: Sessions) -> None:
    clinician_id = await _clinician(sessions)
    async with transaction(sessions) as session:
        reflection = await _start(session, clinician_id)
    later = NOW + timedelta(minutes=4)
    async with transaction(sessions) as session:
        owned = await store.get_owned(
            session, reflection_id=reflection.id or 0, clinician_id=clinician_id
        )
        assert owned is not None
        reflection = owned
        assert await _answer(session, reflection, "one", "first", "two", now=later)
        assert reflection.current_step == "two" and reflection.seconds_spent == 240
    async with transaction(sessions) as session:
        # The same step answered again (a double press, a second process): refused.
        assert not await _answer(session, reflection, "one", "again", "two", now=later)
        assert not await _answer(session, reflection, "nine", "wrong step", None, now=later)
        assert [
            a.text for a in await store.answers_of(session, reflection_id=reflection.id or 0)
        ] == ["first"]
    async with transaction(sessions) as session:
        assert await _answer(
            session, reflection, "two", "last", None, now=later + timedelta(minutes=1)
        )
    async with transaction(sessions) as session:
        done = await store.get_owned(
            session, reflection_id=reflection.id or 0, clinician_id=clinician_id
        )
        assert done is not None
        assert (done.status, done.current_step, done.seconds_spent) == ("completed", None, 300)
        assert done.finished_at == later + timedelta(minutes=1)


async def test_stale_reflections_close_lazily_and_in_bulk(sessions: Sessions) -> None:
    fresh_id, stale_id = await _clinician(sessions, 1), await _clinician(sessions, 2)
    async with transaction(sessions) as session:
        await _start(session, fresh_id, now=NOW - timedelta(hours=23))
        await _start(session, stale_id, now=NOW - timedelta(hours=24))
    async with transaction(sessions) as session:
        assert (
            await store.close_stale_reflections(session, stale_before=NOW - STALE_AFTER, now=NOW)
            == 1
        )
    async with transaction(sessions) as session:
        assert await store.get_open(session, clinician_id=stale_id) is None
        assert await store.get_open(session, clinician_id=fresh_id) is not None
        open_one, set_aside = await store.open_reflection(
            session,
            clinician_id=fresh_id,
            now=NOW + timedelta(hours=1),
            stale_before=NOW + timedelta(hours=1) - STALE_AFTER,
        )
        assert open_one is None and set_aside is not None
        assert set_aside.status == ReflectionStatus.INCOMPLETE


async def test_resume_does_not_count_the_pause(sessions: Sessions) -> None:
    clinician_id = await _clinician(sessions)
    async with transaction(sessions) as session:
        reflection = await _start(session, clinician_id)
        await _answer(session, reflection, "one", "a", "two", now=NOW + timedelta(minutes=2))
        await store.finish(
            session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=NOW
        )
    back = NOW + timedelta(days=3)
    async with transaction(sessions) as session:
        await store.resume(session, reflection=reflection, now=back)
        await _answer(session, reflection, "two", "b", None, now=back + timedelta(minutes=1))
        assert reflection.seconds_spent == 180


async def test_journal_page_newest_first_without_discarded(sessions: Sessions) -> None:
    clinician_id = await _clinician(sessions)
    ids: list[int] = []
    async with transaction(sessions) as session:
        for day in range(4):
            reflection = await _start(session, clinician_id, now=NOW + timedelta(days=day))
            await _answer(
                session, reflection, "one", f"day {day}", None, now=NOW + timedelta(days=day)
            )
            assert reflection.id is not None
            ids.append(reflection.id)
        await store.discard(session, reflection=reflection, now=NOW)
    async with transaction(sessions) as session:
        rows, total = await store.journal_page(
            session, clinician_id=clinician_id, offset=0, limit=2
        )
        assert total == 3 and [r.id for r in rows] == [ids[2], ids[1]]
        rows, _ = await store.journal_page(session, clinician_id=clinician_id, offset=2, limit=2)
        assert [r.id for r in rows] == [ids[0]]
        previews = await store.first_written_answers(session, reflection_ids=ids)
        assert previews == {ids[0]: "day 0", ids[1]: "day 1", ids[2]: "day 2"}  # discarded: none


async def test_revisions_keep_the_previous_text_and_only_owners_find_answers(
    sessions: Sessions,
) -> None:
    mine, theirs = await _clinician(sessions, 1), await _clinician(sessions, 2)
    async with transaction(sessions) as session:
        reflection = await _start(session, mine)
        await _answer(session, reflection, "one", "draft", "two", message_id=55)
    async with transaction(sessions) as session:
        assert (
            await store.answer_for_message(session, clinician_id=theirs, telegram_message_id=55)
            is None
        )
        answer = await store.answer_for_message(session, clinician_id=mine, telegram_message_id=55)
        assert answer is not None
        await store.revise_answer(
            session,
            answer=answer,
            revised=_text("one", "final"),
            previous_as_text="draft",
            choice_label=None,
            now=NOW,
        )
    async with transaction(sessions) as session:
        [answer] = await store.answers_of(session, reflection_id=reflection.id or 0)
        assert (answer.text, answer.edited_at) == ("final", NOW)
        [revision] = await store.revisions_of(session, answer_id=answer.id or 0)
        assert revision.text == "draft"
        raw = (await session.execute(text("SELECT text FROM answer_revision"))).scalar_one()
        assert "draft" not in raw  # earlier versions are encrypted too


async def test_discard_deletes_the_answers(sessions: Sessions) -> None:
    clinician_id = await _clinician(sessions)
    async with transaction(sessions) as session:
        reflection = await _start(session, clinician_id)
        await _answer(session, reflection, "one", "gone soon", "two")
        await store.discard(session, reflection=reflection, now=NOW)
    async with transaction(sessions) as session:
        assert await store.answers_of(session, reflection_id=reflection.id or 0) == []
        assert await store.get_open(session, clinician_id=clinician_id) is None
