"""Voice-note use cases on SQLite and PostgreSQL: what is queued, and what Save, Edit and
Discard store. The transcriber's part is played through its repository, as it writes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Catalog, StepKind
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, TranscriptionJob
from reflect_bot.db.repositories import transcriptions
from reflect_bot.flows import reflections, voice
from reflect_bot.flows.reflections import Saved
from tests.flows.conftest import add_clinician

CHECKIN = "post-session-checkin"
Sessions = async_sessionmaker[AsyncSession]


async def _to_the_note(
    sessions: Sessions, catalog: Catalog, clock: FixedClock, clinician_id: int
) -> None:
    """/checkin answered by typing (4 for ratings, the first option for choices) until its
    last, free-text note waits."""
    program = catalog.program(CHECKIN)
    await reflections.start(sessions, catalog, clock, clinician_id=clinician_id, program_id=CHECKIN)
    given: dict[str, str | int] = {}
    step = program.next_step(None, given)
    message_id = 1
    while step is not None and step.id != "note":
        if step.kind is StepKind.RATING:
            typed, given[step.id] = "4", 4
        elif step.kind is StepKind.CHOICE:
            typed, given[step.id] = step.options[0].label, step.options[0].id
        else:
            typed = given[step.id] = "Thinking."
        outcome = await reflections.answer_typed(
            sessions, catalog, clock, clinician_id=clinician_id, text=typed, message_id=message_id
        )
        assert isinstance(outcome, Saved), step.id
        message_id += 1
        step = program.next_step(step.id, given)
    assert step is not None


async def _heard(sessions: Sessions, clock: FixedClock, job_id: int, words: str) -> None:
    """What the transcriber does: claim, keep the words (audio deleted), show them."""
    async with transaction(sessions) as session:
        now = clock.now()
        job = await transcriptions.claim_next(
            session, now=now, worker="t", lease_until=now + timedelta(minutes=1)
        )
        assert job is not None and job.id == job_id
        assert await transcriptions.keep_transcript(
            session, job_id=job_id, worker="t", transcript=words, now=now
        )
        await transcriptions.mark_offered(
            session, job_id=job_id, worker="t", message_id=99, now=now
        )


async def _count(sessions: Sessions, model: type[Answer] | type[TranscriptionJob]) -> int:
    async with transaction(sessions) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _queue(
    sessions: Sessions, catalog: Catalog, clock: FixedClock, clinician_id: int, seconds: int = 5
) -> voice.Queued | voice.TooLong | voice.NotForThisStep:
    return await voice.queue(
        sessions,
        catalog,
        clock,
        clinician_id=clinician_id,
        chat_id=1,
        audio=b"OggS audio",
        duration_seconds=seconds,
        max_seconds=300,
    )


async def test_a_note_while_a_rating_waits_is_not_queued(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    clinician = await add_clinician(sessions, user=1)
    assert clinician.id is not None
    await reflections.start(sessions, catalog, clock, clinician_id=clinician.id, program_id=CHECKIN)
    # The check-in opens with a rating: a voice note cannot answer it.
    assert isinstance(await _queue(sessions, catalog, clock, clinician.id), voice.NotForThisStep)
    assert isinstance(await _queue(sessions, catalog, clock, clinician.id, 301), voice.TooLong)
    assert await _count(sessions, TranscriptionJob) == 0


async def test_saved_while_the_note_waits_is_the_answer_and_the_job_goes(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    clinician = await add_clinician(sessions, user=1)
    stranger = await add_clinician(sessions, user=2)
    assert clinician.id is not None and stranger.id is not None
    await _to_the_note(sessions, catalog, clock, clinician.id)
    queued = await _queue(sessions, catalog, clock, clinician.id)
    assert isinstance(queued, voice.Queued)
    assert queued.for_step and not queued.may_take_a_while
    await _heard(sessions, clock, queued.job_id, "Spoken words.")

    gone = await voice.save(
        sessions, catalog, clock, clinician_id=stranger.id, job_id=queued.job_id
    )
    assert isinstance(gone, voice.Gone)  # not theirs: nothing changes
    assert await _count(sessions, TranscriptionJob) == 1

    saved = await voice.save(
        sessions, catalog, clock, clinician_id=clinician.id, job_id=queued.job_id
    )
    assert isinstance(saved, voice.SpokenSaved) and voice.saved_text(saved)
    async with transaction(sessions) as session:
        note = await session.execute(select(Answer).where(col(Answer.step_id) == "note"))
        stored = note.scalar_one()
    assert stored.text == "Spoken words." and stored.kind == "text"
    assert await _count(sessions, TranscriptionJob) == 0


async def test_saved_after_the_question_moved_on_stores_nothing_and_hands_the_words_back(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    clinician = await add_clinician(sessions, user=1)
    assert clinician.id is not None
    await _to_the_note(sessions, catalog, clock, clinician.id)
    queued = await _queue(sessions, catalog, clock, clinician.id)
    assert isinstance(queued, voice.Queued) and queued.for_step
    await _heard(sessions, clock, queued.job_id, "Spoken words.")
    answered = await reflections.answer_typed(
        sessions, catalog, clock, clinician_id=clinician.id, text="Typed note.", message_id=50
    )
    assert isinstance(answered, Saved)
    answers_before = await _count(sessions, Answer)

    saved = await voice.save(
        sessions, catalog, clock, clinician_id=clinician.id, job_id=queued.job_id
    )
    assert isinstance(saved, voice.SpokenSaved) and saved.text == "Spoken words."
    assert not voice.saved_text(saved)
    assert await _count(sessions, Answer) == answers_before
    assert await _count(sessions, TranscriptionJob) == 0
