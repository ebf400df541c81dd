"""The journal: a page of past reflections, one opened in full, and an edit of a sent answer.

Each use case is one transaction and sees only the clinician's own reflections: a foreign
or discarded one reads as absent. Times come back in the clinician's own time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog, Program, Step
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Clinician, Reflection
from reflect_bot.db.repositories import reflections as store
from reflect_bot.db.repositories import sharing
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind, GivenAnswer, ReadAnswer, ReflectionStatus
from reflect_bot.domain.timezones import local_zone
from reflect_bot.flows.privacy import identifying_in

PAGE_SIZE = 5

#: How a rating, choice or skip reads back in plain text; an edit keeps the previous version
#: in these words, so the journal shows it as the clinician saw it.
ShownValue = Callable[[Step | None, GivenAnswer], str]


def _cid(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


def _step(program: Program | None, step_id: str) -> Step | None:
    if program is None:
        return None
    try:
        return program.step(step_id)
    except KeyError:
        return None


# --------------------------------------------------------------------------- a page


@dataclass(frozen=True)
class Listed:
    """One reflection on a journal page."""

    reflection_id: int
    started: datetime  # in the clinician's zone
    title: str
    status: str
    preview: str | None  # its first written answer


@dataclass(frozen=True)
class Page:
    """Reflections `offset`… of `total`, newest first (empty: the journal is empty)."""

    offset: int
    size: int
    total: int
    listed: tuple[Listed, ...]


async def page(
    sessions: async_sessionmaker[AsyncSession], *, clinician: Clinician, offset: int
) -> Page:
    """The page at `offset`; past the end (the journal shrank, e.g. by /forget elsewhere)
    the first page instead."""
    clinician_id = _cid(clinician)
    async with transaction(sessions) as session:
        rows, total = await store.journal_page(
            session, clinician_id=clinician_id, offset=offset, limit=PAGE_SIZE
        )
        if not rows and offset > 0:
            offset = 0
            rows, total = await store.journal_page(
                session, clinician_id=clinician_id, offset=0, limit=PAGE_SIZE
            )
        previews = (
            await store.first_written_answers(
                session, reflection_ids=[r.id for r in rows if r.id is not None]
            )
            if rows
            else {}
        )
    zone = local_zone(clinician.timezone)
    listed = tuple(
        Listed(
            reflection_id=reflection.id or 0,
            started=reflection.started_at.astimezone(zone),
            title=reflection.program_title,
            status=reflection.status,
            preview=previews.get(reflection.id or 0),
        )
        for reflection in rows
    )
    return Page(offset=offset, size=PAGE_SIZE, total=total, listed=listed)


# --------------------------------------------------------------------------- one reflection


@dataclass(frozen=True)
class Opened:
    """One of the clinician's reflections in full."""

    reflection_id: int
    title: str
    started: datetime  # in the clinician's zone
    status: str
    seconds_spent: int
    # In the order asked, each with its step (None when the content no longer has it).
    answers: tuple[tuple[Step | None, Answer], ...]
    can_continue: bool  # in progress, or set aside and still resumable
    resumable: bool  # set aside and still resumable
    supervisor_comments: tuple[str, ...] = ()  # while shared with their supervisor


async def open_reflection(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: Clock,
    *,
    clinician: Clinician,
    reflection_id: int,
) -> Opened | None:
    """The reflection with its answers; None when it is not theirs, gone or discarded."""
    async with transaction(sessions) as session:
        reflection = await store.get_owned(
            session, reflection_id=reflection_id, clinician_id=_cid(clinician)
        )
        if reflection is None or reflection.status == ReflectionStatus.DISCARDED:
            return None
        given = await store.answers_of(session, reflection_id=reflection.id or 0)
        comments = await sharing.comments_on(session, reflection_ids=[reflection.id or 0])
    program = catalog.programs.get(reflection.program_id)
    resumable = journaling.can_resume(reflection.status, reflection.last_activity_at, clock.now())
    return Opened(
        reflection_id=reflection.id or 0,
        title=reflection.program_title,
        started=reflection.started_at.astimezone(local_zone(clinician.timezone)),
        status=reflection.status,
        seconds_spent=reflection.seconds_spent,
        answers=tuple((_step(program, answer.step_id), answer) for answer in given),
        can_continue=reflection.status == ReflectionStatus.IN_PROGRESS or resumable,
        resumable=resumable,
        supervisor_comments=tuple(comments.get(reflection.id or 0, ())),
    )


# --------------------------------------------------------------------------- edits


class EditResult(StrEnum):
    UPDATED = "updated"  # stored; the earlier version kept as a revision
    UNCHANGED = "unchanged"  # the edit says what was already stored
    NOT_UNDERSTOOD = "not_understood"  # not an answer to its question: the earlier one kept


@dataclass(frozen=True)
class Edited:
    """What became of an edit of a message that held an answer."""

    result: EditResult
    reflection_id: int
    step_id: str
    written: bool  # a text answer: worth the identifying-details check


async def edit_answer(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: Clock,
    *,
    clinician: Clinician,
    telegram_message_id: int,
    edited: str,
    shown: ShownValue,
) -> Edited | None:
    """Stores the clinician's edit of the message that held an answer, keeping the previous
    version; None when that message held no answer of theirs."""
    async with transaction(sessions) as session:
        answer = await store.answer_for_message(
            session, clinician_id=_cid(clinician), telegram_message_id=telegram_message_id
        )
        if answer is None:
            return None
        result = await _revise(session, catalog, clock, clinician, answer, edited, shown)
    return Edited(
        result=result,
        reflection_id=answer.reflection_id,
        step_id=answer.step_id,
        written=answer.kind == AnswerKind.TEXT,
    )


async def _revise(
    session: AsyncSession,
    catalog: Catalog,
    clock: Clock,
    clinician: Clinician,
    answer: Answer,
    edited: str,
    shown: ShownValue,
) -> EditResult:
    reflection = await session.get(Reflection, answer.reflection_id)
    program = catalog.programs.get(reflection.program_id if reflection else "")
    step = _step(program, answer.step_id)
    revised: ReadAnswer | None
    if answer.kind == AnswerKind.TEXT:
        revised = (
            ReadAnswer(answer.step_id, AnswerKind.TEXT, text=edited) if edited.strip() else None
        )
    elif step is not None and answer.kind in (AnswerKind.RATING, AnswerKind.CHOICE):
        revised = journaling.read_typed_answer(step, edited)
    else:
        revised = None
    if revised is None:
        return EditResult.NOT_UNDERSTOOD
    if (revised.text, revised.rating, revised.choice) == (
        answer.text,
        answer.rating,
        answer.choice,
    ):
        return EditResult.UNCHANGED
    previous = answer.text if answer.kind == AnswerKind.TEXT else shown(step, answer)
    label = step.option(revised.choice).label if step is not None and revised.choice else None
    await store.revise_answer(
        session,
        answer=answer,
        revised=revised,
        previous_as_text=previous,
        choice_label=label,
        now=clock.now(),
        # Read in the same transaction, so an edit made clean is quotable again at once and
        # one that adds a name is never quotable, even for a moment.
        identifying_flagged=revised.text is not None
        and bool(identifying_in(revised.text, clinician=clinician, clock=clock)),
    )
    return EditResult.UPDATED
