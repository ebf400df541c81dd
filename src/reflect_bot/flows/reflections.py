"""Reflections as use cases: start, answer (typed or pressed), skip, ask again, resume, cancel,
discard-and-start. Flow diagram: reflection_flow.mmd beside this file.

Every flow is one transaction: it reads the reflection row, stores what the clinician did and
moves `current_step` on, then returns a plain outcome; the handler speaks only after the commit.
A database failure propagates (`SQLAlchemyError`): the handler tells the clinician their answer
was not saved. The state lives in the reflection row, so after a restart the next message simply
continues where the row says.

`seen` is the open reflection and its answers so far as the guard loaded them a moment ago in
this update (`store.Seen`): passing it saves two queries on every answer, typed or pressed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog, Program, Step
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Reflection
from reflect_bot.db.repositories import deliveries
from reflect_bot.db.repositories import reflections as store
from reflect_bot.db.repositories.reflections import Seen as Seen  # the flows take it
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer, ReflectionStatus
from reflect_bot.flows import goals
from reflect_bot.flows.goals import NewGoal

Sessions = async_sessionmaker[AsyncSession]

# --------------------------------------------------------------------------- outcomes


class Note(Enum):
    """Why a question is asked (again): the handler says the matching words before it."""

    NONE = "none"
    UNREADABLE = "unreadable"  # typed text that cannot answer this kind of step
    CANNOT_SKIP = "cannot_skip"  # /skip on a required step
    NOT_TEXT = "not_text"  # a sticker, photo, voice note… mid-reflection
    DISCARDED = "discarded"  # the open reflection was discarded to start this one


@dataclass(frozen=True)
class Question:
    """Ask this step of the reflection."""

    program: Program
    reflection_id: int
    step: Step
    progress: journaling.Progress
    opening: bool = False  # the program's title and intro come first
    note: Note = Note.NONE
    welcome_back: str | None = None  # the title of the reflection taken up again
    other_set_aside: str | None = None  # the title of the one set aside to take it up
    #: Say the deployment's support offer with it: the step offers support and is reached
    #: now (see `_offers_support`), not merely asked again a moment after.
    offer_support: bool = False


@dataclass(frozen=True)
class Completed:
    """The last step was stored; `follow_up` is a program worth offering next, if any.

    `written` holds the reflection's text answers as (position, text), so the concepts they
    carry can be recognised and suggested (never logged, never stored again).
    """

    program: Program
    seconds_spent: int
    follow_up: Program | None = None
    offer: str = ""  # the catalog's words offering the follow-up
    goals: tuple[NewGoal, ...] = ()  # its action answers, now learning goals (flows/goals.py)
    reflection_id: int | None = None
    written: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Saved:
    """An answer was stored: show the pressed or typed value, then what comes next."""

    step: Step
    answer: ReadAnswer
    reflection_id: int
    question_message_id: int | None  # the message that asked it, if its buttons are known
    then: Question | Completed


class StaleReason(Enum):
    UNKNOWN = "unknown"  # not theirs, gone, or a button this step never offered
    ENDED = "ended"
    ANSWERED = "answered"


@dataclass(frozen=True)
class Stale:
    """A button that no longer applies: nothing changed."""

    reason: StaleReason = StaleReason.UNKNOWN


@dataclass(frozen=True)
class SetAside:
    """The reflection had been untouched for a day, so it was set aside (resumable)."""

    reflection_id: int
    title: str


@dataclass(frozen=True)
class AlreadyOpen:
    """Another reflection is open: carry on with it, or discard it and start `program`."""

    reflection_id: int
    title: str
    answered: int
    program: Program
    delivery_id: int | None


@dataclass(frozen=True)
class ProgramChanged:
    """The content no longer has the reflection's program or step: it was closed."""


@dataclass(frozen=True)
class NothingOpen:
    """No reflection is in progress."""


@dataclass(frozen=True)
class Cancelled:
    """Ended as incomplete with its answers kept (none: discarded, nothing worth keeping)."""

    answers: int


@dataclass(frozen=True)
class CannotResume:
    """Ended too long ago (or completed) to be taken up again."""


Answered = Saved | Question | ProgramChanged | SetAside | Stale | NothingOpen

# --------------------------------------------------------------------------- use cases


async def start(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    program_id: str,
    delivery_id: int | None = None,
    seen: Seen | None = None,
) -> Question | AlreadyOpen:
    """Opens a reflection on the program, unless another one is open (then: which one?).

    `delivery_id` links it to the prompt it answers: the caller has checked it is theirs.
    """
    program = catalog.program(program_id)

    async def once(seen: Seen | None) -> Question | AlreadyOpen:
        async with transaction(sessions) as session:
            now = clock.now()
            open_one, _ = await store.open_reflection(
                session,
                clinician_id=clinician_id,
                now=now,
                stale_before=now - journaling.STALE_AFTER,
                seen=seen,
            )
            if open_one is not None:
                answered = len(await store.given_answers(session, open_one, seen=seen))
                return AlreadyOpen(
                    _id(open_one), open_one.program_title, answered, program, delivery_id
                )
            return await _begin(session, clinician_id, program, delivery_id, now=now)

    try:
        return await once(seen)
    except IntegrityError:  # pragma: no cover - another process opened one a moment ago
        return await once(None)


async def answer_typed(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    text: str,
    message_id: int,
    seen: Seen | None = None,
) -> Answered:
    """A typed message as the answer to the open reflection's current step."""
    async with transaction(sessions) as session:
        return await _answer(
            session,
            catalog,
            clock.now(),
            clinician_id,
            read=lambda step: journaling.read_typed_answer(step, text),
            unreadable=Note.UNREADABLE,
            seen=seen,
            telegram_message_id=message_id,
        )


async def answer_pressed(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    reflection_id: int,
    step_id: str,
    value: str,
    seen: Seen | None = None,
) -> Answered:
    """A pressed rating or option: counts only if that reflection still waits for that step."""
    async with transaction(sessions) as session:
        return await _answer(
            session,
            catalog,
            clock.now(),
            clinician_id,
            read=lambda step: journaling.read_button_answer(step, value),
            unreadable=Note.NONE,
            pressed=(reflection_id, step_id),
            seen=seen,
        )


async def skip(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    pressed: tuple[int, str] | None = None,
    seen: Seen | None = None,
) -> Answered:
    """Passes over an optional step: /skip (the open reflection) or a Skip button
    (`pressed` = the reflection and step it names)."""

    def read(step: Step) -> ReadAnswer | None:
        return ReadAnswer(step.id, AnswerKind.SKIPPED) if step.optional else None

    async with transaction(sessions) as session:
        return await _answer(
            session,
            catalog,
            clock.now(),
            clinician_id,
            read=read,
            unreadable=Note.CANNOT_SKIP,
            pressed=pressed,
            seen=seen,
        )


async def ask_again(
    sessions: Sessions, catalog: Catalog, clock: Clock, *, clinician_id: int, seen: Seen | None
) -> Question | ProgramChanged | SetAside | NothingOpen:
    """Something that is not text arrived mid-reflection: its question again."""
    async with transaction(sessions) as session:
        now = clock.now()
        reflection, set_aside = await store.open_reflection(
            session,
            clinician_id=clinician_id,
            now=now,
            stale_before=now - journaling.STALE_AFTER,
            seen=seen,
        )
        if reflection is None:
            return NothingOpen() if set_aside is None else _set_aside(set_aside)
        return await _question(session, catalog, reflection, now, note=Note.NOT_TEXT)


async def cancel(
    sessions: Sessions, clock: Clock, *, clinician_id: int, seen: Seen | None = None
) -> Cancelled | NothingOpen:
    """Ends the open reflection as incomplete, keeping its answers (none: discarded)."""
    async with transaction(sessions) as session:
        now = clock.now()
        reflection, _ = await store.open_reflection(
            session,
            clinician_id=clinician_id,
            now=now,
            stale_before=now - journaling.STALE_AFTER,
            seen=seen,
        )
        if reflection is None:
            return NothingOpen()
        count = len(await store.given_answers(session, reflection, seen=seen))
        if count == 0:  # nothing worth a journal entry
            await store.discard(session, reflection=reflection, now=now)
        else:
            await store.finish(
                session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=now
            )
        return Cancelled(count)


async def resume(
    sessions: Sessions, catalog: Catalog, clock: Clock, *, clinician_id: int, reflection_id: int
) -> Question | ProgramChanged | Stale | CannotResume:
    """Carries on with an open reflection, or takes up an incomplete one (within 7 days),
    setting aside whichever other one is open."""
    async with transaction(sessions) as session:
        now = clock.now()
        reflection = await store.get_owned(
            session, reflection_id=reflection_id, clinician_id=clinician_id
        )
        if reflection is None:
            return Stale()
        title = reflection.program_title
        if reflection.status == ReflectionStatus.IN_PROGRESS:
            if journaling.is_stale(reflection.last_activity_at, now):
                # Asking for it explicitly counts as taking it up again; the day away is
                # not time spent.
                await store.resume(session, reflection=reflection, now=now)
            return await _question(session, catalog, reflection, now, welcome_back=title)
        if not journaling.can_resume(reflection.status, reflection.last_activity_at, now):
            return CannotResume()
        other = await store.get_open(session, clinician_id=clinician_id)
        if other is not None:
            await store.finish(
                session, reflection=other, status=ReflectionStatus.INCOMPLETE, now=now
            )
        await store.resume(session, reflection=reflection, now=now)
        return await _question(
            session,
            catalog,
            reflection,
            now,
            welcome_back=title,
            other_set_aside=None if other is None else other.program_title,
        )


async def discard_and_start(
    sessions: Sessions,
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    reflection_id: int,
    program_id: str,
    delivery_id: int | None,
) -> Question | Stale:
    """Discards the open reflection (its answers deleted) and starts the program.

    `delivery_id` comes from a button, so it links the new reflection to that prompt only if
    the prompt was sent to this clinician; a foreign or unknown one is ignored.
    """
    if program_id not in catalog.programs:
        return Stale()
    program = catalog.program(program_id)
    async with transaction(sessions) as session:
        now = clock.now()
        reflection = await store.get_owned(
            session, reflection_id=reflection_id, clinician_id=clinician_id
        )
        if reflection is None:
            return Stale()
        if reflection.status != ReflectionStatus.IN_PROGRESS:
            return Stale(StaleReason.ENDED)
        if delivery_id is not None:
            owned = await deliveries.get_owned(
                session, delivery_id=delivery_id, clinician_id=clinician_id
            )
            delivery_id = None if owned is None else delivery_id
        await store.discard(session, reflection=reflection, now=now)
        return await _begin(
            session, clinician_id, program, delivery_id, now=now, note=Note.DISCARDED
        )


@dataclass(frozen=True)
class AskedQuestion:
    """The message that asked a reflection's step."""

    reflection_id: int
    step_id: str
    message_id: int


async def remember_questions(sessions: Sessions, asked: Sequence[AskedQuestion]) -> None:
    """Notes which messages asked the steps, so their buttons can be taken away once answered
    by typing (a no-op for a step answered meanwhile). One transaction for the batch."""
    async with transaction(sessions) as session:
        await store.set_question_messages(
            session,
            [
                {"reflection_id": q.reflection_id, "step_id": q.step_id, "message_id": q.message_id}
                for q in asked
            ],
        )


async def answer_spoken(
    session: AsyncSession,
    catalog: Catalog,
    now: datetime,
    *,
    clinician_id: int,
    reflection_id: int,
    step_id: str,
    text: str,
) -> Answered:
    """Within the caller's transaction: a confirmed transcript as the answer to the step the
    voice note was sent for; it counts only if that reflection still waits for that step."""
    return await _answer(
        session,
        catalog,
        now,
        clinician_id,
        read=lambda step: journaling.read_typed_answer(step, text),
        unreadable=Note.NONE,
        pressed=(reflection_id, step_id),
    )


async def waiting_step(
    session: AsyncSession, catalog: Catalog, now: datetime, *, clinician_id: int
) -> tuple[int, Step] | None:
    """The open reflection and the step it waits for (None: nothing open)."""
    reflection, _ = await store.open_reflection(
        session,
        clinician_id=clinician_id,
        now=now,
        stale_before=now - journaling.STALE_AFTER,
    )
    if reflection is None:
        return None
    located = _locate(catalog, reflection)
    if located is None:
        return None
    return _id(reflection), located[1]


# --------------------------------------------------------------------------- within a transaction


def _id(reflection: Reflection) -> int:
    if reflection.id is None:  # pragma: no cover - reflections come from the database
        raise ValueError("reflection is not stored")
    return reflection.id


def _offers_support(step: Step) -> bool:
    """Whether reaching `step` is a moment to offer support.

    The catalog marks these steps (a feeling still strong after naming it, one's own
    attachment history, a rupture still felt), and the conditional ones are asked only when
    the answer just given signalled it: so the offer comes right after that answer, with the
    question it leads to, and never with the other steps.
    """
    return step.offers_support


def _set_aside(reflection: Reflection) -> SetAside:
    return SetAside(_id(reflection), reflection.program_title)


def _locate(catalog: Catalog, reflection: Reflection) -> tuple[Program, Step] | None:
    """The program and current step, or None when the content no longer has them."""
    try:
        program = catalog.program(reflection.program_id)
        step = program.step(reflection.current_step or "")
    except KeyError:
        return None
    return program, step


async def _question(
    session: AsyncSession,
    catalog: Catalog,
    reflection: Reflection,
    now: datetime,
    *,
    note: Note = Note.NONE,
    welcome_back: str | None = None,
    other_set_aside: str | None = None,
) -> Question | ProgramChanged:
    """The reflection's current step asked again (or, if the content changed, it is closed)."""
    located = _locate(catalog, reflection)
    if located is None:
        await store.finish(
            session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=now
        )
        return ProgramChanged()
    program, step = located
    given = await store.given_answers(session, reflection)
    return Question(
        program,
        _id(reflection),
        step,
        journaling.progress(program, step, given),
        note=note,
        welcome_back=welcome_back,
        other_set_aside=other_set_aside,
        # Taken up again after a while: the earlier offer is far up the chat. Asked again
        # after a sticker or an unreadable answer: it was said a moment ago.
        offer_support=_offers_support(step) and welcome_back is not None,
    )


async def _begin(
    session: AsyncSession,
    clinician_id: int,
    program: Program,
    delivery_id: int | None,
    *,
    now: datetime,
    note: Note = Note.NONE,
) -> Question:
    """Opens a new reflection on the program; its first question."""
    first = journaling.first_step(program)
    started = await store.start(
        session,
        clinician_id=clinician_id,
        program_id=program.id,
        program_title=program.title,
        first_step_id=first.id,
        now=now,
        delivery_id=delivery_id,
    )
    return Question(
        program,
        _id(started),
        first,
        journaling.progress(program, first, []),
        opening=True,
        note=note,
        offer_support=_offers_support(first),
    )


async def _answer(
    session: AsyncSession,
    catalog: Catalog,
    now: datetime,
    clinician_id: int,
    *,
    read: Callable[[Step], ReadAnswer | None],
    unreadable: Note,
    pressed: tuple[int, str] | None = None,
    seen: Seen | None = None,
    telegram_message_id: int | None = None,
) -> Answered:
    """Stores an answer to the current step and works out what comes next.

    `pressed` (reflection, step) comes from a button: the answer counts only if that
    reflection is open and still waiting for that step.
    """
    if pressed is None:
        reflection, set_aside = await store.open_reflection(
            session,
            clinician_id=clinician_id,
            now=now,
            stale_before=now - journaling.STALE_AFTER,
            seen=seen,
        )
        if set_aside is not None:
            return _set_aside(set_aside)
        if reflection is None:
            return NothingOpen()
    else:
        reflection_id, step_id = pressed
        if seen is not None and seen.reflection is not None and seen.reflection.id == reflection_id:
            reflection = seen.reflection  # their open one, as the guard read it a moment ago
        else:
            reflection = await store.get_owned(
                session, reflection_id=reflection_id, clinician_id=clinician_id
            )
        if reflection is None:
            return Stale()  # not theirs, or gone: do nothing at all
        if reflection.status == ReflectionStatus.IN_PROGRESS and journaling.is_stale(
            reflection.last_activity_at, now
        ):
            await store.finish(
                session, reflection=reflection, status=ReflectionStatus.INCOMPLETE, now=now
            )
            return _set_aside(reflection)
        if reflection.status != ReflectionStatus.IN_PROGRESS:
            return Stale(StaleReason.ENDED)
        if reflection.current_step != step_id:
            return Stale(StaleReason.ANSWERED)

    located = _locate(catalog, reflection)
    if located is None:
        return await _question(session, catalog, reflection, now)
    program, step = located
    answer = read(step)
    if answer is None:
        if pressed is not None:
            return Stale()  # a button this step never offered
        return await _question(session, catalog, reflection, now, note=unreadable)

    given: list[journaling.GivenAnswer] = list(
        await store.given_answers(session, reflection, seen=seen)
    )
    following = journaling.next_step(program, step.id, [*given, answer])
    question_message_id = reflection.question_message_id
    stored = await store.save_answer(
        session,
        reflection=reflection,
        step_id=step.id,
        position=journaling.position_of(program, step.id),
        question=step.question,
        answer=answer,
        choice_label=step.option(answer.choice).label if answer.choice else None,
        next_step_id=following.id if following else None,
        now=now,
        telegram_message_id=telegram_message_id,
    )
    if not stored:
        return Stale(StaleReason.ANSWERED)
    given.append(answer)
    then: Question | Completed
    if following is None:
        made = await goals.record_from_completion(
            session,
            clinician_id=clinician_id,
            reflection_id=_id(reflection),
            program=program,
            given=given,
            now=now,
        )
        then = _completed(catalog, program, _id(reflection), reflection.seconds_spent, given, made)
    else:
        then = Question(
            program,
            _id(reflection),
            following,
            journaling.progress(program, following, given),
            offer_support=_offers_support(following),
        )
    return Saved(step, answer, _id(reflection), question_message_id, then)


def _completed(
    catalog: Catalog,
    program: Program,
    reflection_id: int,
    seconds_spent: int,
    given: list[journaling.GivenAnswer],
    made: tuple[NewGoal, ...],
) -> Completed:
    written = tuple(
        (journaling.position_of(program, answer.step_id), answer.text)
        for answer in given
        if answer.kind == AnswerKind.TEXT and answer.text
    )
    follow_up = program.follow_up(journaling.condition_answers(given))
    if follow_up is None or follow_up.program not in catalog.programs:
        return Completed(
            program, seconds_spent, reflection_id=reflection_id, written=written, goals=made
        )
    offered = catalog.program(follow_up.program)
    return Completed(
        program,
        seconds_spent,
        offered,
        follow_up.offer or offered.purpose,
        reflection_id=reflection_id,
        written=written,
        goals=made,
    )
