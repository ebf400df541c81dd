"""Voice notes as answers (issue #22): queue a note, then save, edit or discard what was heard.

The bot only queues the encrypted audio (one transaction) and says "Transcribing…"; a
separate `reflect-bot transcriber` process turns it into words and shows them with
Save / Edit / Discard (transcriber/worker.py). Each decision here is one transaction that
deletes the job: only confirmed text is stored, as an Answer, exactly as if it were typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog, Role, StepKind
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import privacy as privacy_store
from reflect_bot.db.repositories import reflections as store
from reflect_bot.db.repositories import transcriptions
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind
from reflect_bot.flows import reflections
from reflect_bot.flows.reflections import Answered, Saved

Sessions = async_sessionmaker[AsyncSession]

# A job queued longer ago than this and still unclaimed: no transcriber is keeping up.
TRANSCRIBER_SLOW_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class Queued:
    """The note waits for a transcriber; `for_step` when it answers an open reflection's
    question, `may_take_a_while` when earlier notes are still waiting (no transcriber up)."""

    job_id: int
    for_step: bool
    may_take_a_while: bool


@dataclass(frozen=True)
class TooLong:
    """Longer than the deployment transcribes: nothing was stored."""

    max_seconds: int


@dataclass(frozen=True)
class NotForThisStep:
    """The open reflection waits for a rating or a choice: a voice note cannot answer it."""


@dataclass(frozen=True)
class Gone:
    """That transcript was already saved, edited or discarded (or is not theirs)."""


@dataclass(frozen=True)
class SpokenSaved:
    """The transcript was offered as the answer; `outcome` is what storing it did."""

    outcome: Answered
    text: str


@dataclass(frozen=True)
class ToEdit:
    """The transcript, for the clinician to correct and send as typed text."""

    text: str
    for_step: bool


@dataclass(frozen=True)
class Discarded:
    """The transcript is deleted; nothing was stored."""


async def queue(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    chat_id: int,
    audio: bytes,
    duration_seconds: int,
    max_seconds: int,
) -> Queued | TooLong | NotForThisStep:
    """Queues a voice note (encrypted), for the open reflection's question if one waits
    for text; a rating or choice step is left to be tapped."""
    if duration_seconds > max_seconds:
        return TooLong(max_seconds)
    async with transaction(sessions) as session:
        now = clock.now()
        waiting = await reflections.waiting_step(session, catalog, now, clinician_id=clinician_id)
        if waiting is not None and waiting[1].kind != StepKind.TEXT:
            return NotForThisStep()
        step = None if waiting is None else (waiting[0], waiting[1].id)
        slow = await transcriptions.waiting_since(session, before=now - TRANSCRIBER_SLOW_AFTER)
        job_id = await transcriptions.add(
            session,
            clinician_id=clinician_id,
            chat_id=chat_id,
            reflection_id=None if step is None else step[0],
            step_id=None if step is None else step[1],
            audio=audio,
            duration_seconds=duration_seconds,
            now=now,
        )
        return Queued(job_id, for_step=step is not None, may_take_a_while=slow)


async def save(
    sessions: Sessions, catalog: Catalog, clock: Clock, *, clinician_id: int, job_id: int
) -> SpokenSaved | Gone:
    """Stores the transcript as the answer to the question it was spoken for."""
    async with transaction(sessions) as session:
        job = await transcriptions.offered_to(session, job_id=job_id, clinician_id=clinician_id)
        if job is None or job.transcript is None:
            return Gone()
        text = job.transcript
        await transcriptions.remove(session, job_id=job_id)
        if job.reflection_id is None or job.step_id is None:
            return Gone()  # no question to answer: only Edit and Discard were offered
        outcome = await reflections.answer_spoken(
            session,
            catalog,
            clock.now(),
            clinician_id=clinician_id,
            reflection_id=job.reflection_id,
            step_id=job.step_id,
            text=text,
        )
        return SpokenSaved(outcome, text)


async def edit(sessions: Sessions, *, clinician_id: int, job_id: int) -> ToEdit | Gone:
    """Hands back the transcript to correct and deletes the job: the corrected words arrive
    as typed text, stored like any typed answer."""
    async with transaction(sessions) as session:
        job = await transcriptions.offered_to(session, job_id=job_id, clinician_id=clinician_id)
        if job is None or job.transcript is None:
            return Gone()
        await transcriptions.remove(session, job_id=job_id)
        return ToEdit(job.transcript, for_step=job.reflection_id is not None)


async def discard(sessions: Sessions, *, clinician_id: int, job_id: int) -> Discarded | Gone:
    """Deletes the transcript unsaved."""
    async with transaction(sessions) as session:
        job = await transcriptions.offered_to(session, job_id=job_id, clinician_id=clinician_id)
        if job is None:
            return Gone()
        await transcriptions.remove(session, job_id=job_id)
        return Discarded()


@dataclass(frozen=True)
class AddedToCheckin:
    """The words became (or were added to) the last note of the clinician's latest check-in."""

    reflection_id: int
    step_id: str
    title: str
    text: str  # the note as now stored


@dataclass(frozen=True)
class NoRecentCheckin:
    """No check-in was completed within CHECKIN_NOTE_WITHIN: the words stay on offer."""


# A note added to a check-in finished longer ago than this would belong to another session.
CHECKIN_NOTE_WITHIN = timedelta(hours=24)


async def add_to_checkin(
    sessions: Sessions, catalog: Catalog, clock: Clock, *, clinician_id: int, job_id: int
) -> AddedToCheckin | NoRecentCheckin | Gone:
    """A transcript sent outside a reflection, kept as the last note of the check-in the
    clinician completed most recently (within a day): its free-text last step gets the
    words, after what it already said; an earlier version is kept as a revision."""
    checkin = catalog.program_for(Role.CHECKIN)
    last = checkin.steps[-1]
    async with transaction(sessions) as session:
        job = await transcriptions.offered_to(session, job_id=job_id, clinician_id=clinician_id)
        if job is None or job.transcript is None:
            return Gone()
        now = clock.now()
        reflection = await store.latest_completed(
            session,
            clinician_id=clinician_id,
            program_id=checkin.id,
            since=now - CHECKIN_NOTE_WITHIN,
        )
        if reflection is None or reflection.id is None or last.kind != StepKind.TEXT:
            return NoRecentCheckin()
        words = job.transcript
        earlier = await privacy_store.answer_to_step(
            session, reflection_id=reflection.id, step_id=last.id, clinician_id=clinician_id
        )
        if earlier is None:
            text = words
            await store.add_answer_later(
                session,
                reflection=reflection,
                step_id=last.id,
                position=journaling.position_of(checkin, last.id),
                question=last.question,
                text=text,
                now=now,
            )
        else:
            before = earlier.text if earlier.kind == AnswerKind.TEXT else None
            text = f"{before}\n\n{words}" if before else words
            await store.revise_answer(
                session,
                answer=earlier,
                revised=journaling.ReadAnswer(last.id, AnswerKind.TEXT, text=text),
                previous_as_text=before,
                choice_label=None,
                now=now,
            )
        await transcriptions.remove(session, job_id=job_id)
        return AddedToCheckin(reflection.id, last.id, reflection.program_title, text)


def saved_text(saved: SpokenSaved) -> bool:
    """Whether the transcript became the answer (else the question had moved on)."""
    return isinstance(saved.outcome, Saved)
