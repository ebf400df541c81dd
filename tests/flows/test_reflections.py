"""The reflection use cases on a real database (SQLite and PostgreSQL), without Telegram:
what each one stores and what it says should happen next."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import (
    Catalog,
    StepKind,
    default_prompts_dir,
    load_catalog,
)
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Delivery, Reflection, Schedule
from reflect_bot.db.repositories import clinicians
from reflect_bot.db.repositories import reflections as store
from reflect_bot.domain.journaling import AnswerKind, ReflectionStatus
from reflect_bot.flows import reflections as flows
from reflect_bot.flows.reflections import (
    AlreadyOpen,
    Cancelled,
    CannotResume,
    Completed,
    Note,
    NothingOpen,
    Question,
    Saved,
    Seen,
    SetAside,
    Stale,
    StaleReason,
)
from tests.shipped import CHECKIN_PROGRAM_ID

NOW = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _clinician(sessions: Sessions, user: int = 7) -> int:
    async with transaction(sessions) as session:
        clinician = await clinicians.register(
            session, telegram_user_id=user, chat_id=user, display_name=None, now=NOW
        )
    assert clinician.id is not None
    return clinician.id


async def _delivery(sessions: Sessions, clinician_id: int) -> int:
    """A prompt sent to this clinician."""
    async with transaction(sessions) as session:
        schedule = Schedule(
            clinician_id=clinician_id,
            program_id=CHECKIN_PROGRAM_ID,
            local_time=time(8, 0),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(schedule)
        await session.flush()
        assert schedule.id is not None
        delivery = Delivery(
            clinician_id=clinician_id,
            schedule_id=schedule.id,
            local_date=date(2026, 5, 4),
            program_id=CHECKIN_PROGRAM_ID,
            due_at=NOW,
            status="sent",
            created_at=NOW,
        )
        session.add(delivery)
        await session.flush()
        assert delivery.id is not None
        return delivery.id


async def _reflections(sessions: Sessions) -> list[Reflection]:
    async with transaction(sessions) as session:
        found = await session.execute(select(Reflection).order_by(col(Reflection.id)))
        return list(found.scalars())


async def _answers(sessions: Sessions) -> list[Answer]:
    async with transaction(sessions) as session:
        found = await session.execute(select(Answer).order_by(col(Answer.id)))
        return list(found.scalars())


async def _start(
    sessions: Sessions, catalog: Catalog, clock: FixedClock, cid: int, program: str
) -> Question:
    started = await flows.start(sessions, catalog, clock, clinician_id=cid, program_id=program)
    assert isinstance(started, Question)
    return started


async def _type(
    sessions: Sessions, catalog: Catalog, clock: FixedClock, cid: int, text: str
) -> flows.Answered:
    return await flows.answer_typed(
        sessions, catalog, clock, clinician_id=cid, text=text, message_id=100
    )


async def test_start_opens_the_first_step_and_a_second_start_asks_which(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    first = await _start(sessions, catalog, clock, cid, "two-relationships")
    assert first.opening and first.step.id == "distant_who" and first.progress.position == 1
    assert isinstance(await _type(sessions, catalog, clock, cid, "Someone"), Saved)

    again = await flows.start(
        sessions, catalog, clock, clinician_id=cid, program_id=CHECKIN_PROGRAM_ID, delivery_id=5
    )
    assert isinstance(again, AlreadyOpen)
    assert (again.reflection_id, again.answered) == (first.reflection_id, 1)
    assert (again.program.id, again.delivery_id) == (CHECKIN_PROGRAM_ID, 5)
    assert [r.program_id for r in await _reflections(sessions)] == ["two-relationships"]


async def test_typed_answers_are_stored_and_unreadable_ones_ask_again(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    question = await _start(sessions, catalog, clock, cid, CHECKIN_PROGRAM_ID)
    assert question.step.kind is StepKind.RATING

    again = await _type(sessions, catalog, clock, cid, "quite good")
    assert isinstance(again, Question) and again.note is Note.UNREADABLE
    assert again.step.id == question.step.id and not again.opening
    assert await _answers(sessions) == []

    saved = await _type(sessions, catalog, clock, cid, "4")
    assert isinstance(saved, Saved) and saved.answer.rating == 4
    assert isinstance(saved.then, Question) and saved.then.step.id == "goals"
    assert saved.then.progress.position == 2
    assert [(a.step_id, a.rating, a.telegram_message_id) for a in await _answers(sessions)] == [
        ("bond", 4, 100)
    ]


async def test_a_pressed_button_counts_once_and_only_for_its_own_step(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    other = await _clinician(sessions, user=8)
    question = await _start(sessions, catalog, clock, cid, CHECKIN_PROGRAM_ID)
    rid = question.reflection_id

    async def press(who: int, step: str, value: str) -> flows.Answered:
        return await flows.answer_pressed(
            sessions, catalog, clock, clinician_id=who, reflection_id=rid, step_id=step, value=value
        )

    assert await press(other, "bond", "5") == Stale(StaleReason.UNKNOWN)  # not theirs
    assert await press(cid, "bond", "²") == Stale(StaleReason.UNKNOWN)  # never offered
    assert await press(cid, "bond", "9") == Stale(StaleReason.UNKNOWN)
    assert await _answers(sessions) == []
    assert isinstance(await press(cid, "bond", "5"), Saved)
    assert await press(cid, "bond", "3") == Stale(StaleReason.ANSWERED)
    assert [(a.step_id, a.rating) for a in await _answers(sessions)] == [("bond", 5)]

    cancelled = await flows.cancel(sessions, clock, clinician_id=cid)
    assert cancelled == Cancelled(1)
    assert await press(cid, "goals", "3") == Stale(StaleReason.ENDED)


async def test_a_press_given_the_guards_reading_only_writes(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    """A rating pressed on the open reflection, given the guard's reading of it, asks for
    neither the reflection nor its answers again; the same rules hold as without it."""
    cid = await _clinician(sessions)
    rid = (await _start(sessions, catalog, clock, cid, CHECKIN_PROGRAM_ID)).reflection_id

    async def admitted() -> Seen:
        async with transaction(sessions) as session:
            return (await clinicians.admission(session, telegram_user_id=7)).seen

    async def press(step: str, value: str, seen: Seen | None, *, on: int = rid) -> flows.Answered:
        return await flows.answer_pressed(
            sessions,
            catalog,
            clock,
            clinician_id=cid,
            reflection_id=on,
            step_id=step,
            value=value,
            seen=seen,
        )

    with counted(sessions) as unseen:
        assert isinstance(await press("bond", "5", None), Saved)
    reading = await admitted()
    with counted(sessions) as seen:
        saved = await press("goals", "4", reading)
    assert isinstance(saved, Saved) and isinstance(saved.then, Question)
    assert saved.then.step.id == "tasks" and saved.then.progress.position == 3
    assert len(seen) == len(unseen) - 2
    assert not [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert await press("goals", "3", await admitted()) == Stale(StaleReason.ANSWERED)
    assert await press("tasks", "3", await admitted(), on=rid + 1) == Stale(StaleReason.UNKNOWN)
    assert [(a.step_id, a.rating) for a in await _answers(sessions)] == [("bond", 5), ("goals", 4)]


async def test_skip_passes_optional_steps_only(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    assert await flows.skip(sessions, catalog, clock, clinician_id=cid) == NothingOpen()
    await _start(sessions, catalog, clock, cid, "secure-base")
    refused = await flows.skip(sessions, catalog, clock, clinician_id=cid)
    assert isinstance(refused, Question) and refused.note is Note.CANNOT_SKIP
    for typed in ("3", "It felt safe", "1"):  # safety, safe_because, pull (closer)
        assert isinstance(await _type(sessions, catalog, clock, cid, typed), Saved)
    skipped = await flows.skip(sessions, catalog, clock, clinician_id=cid)  # familiar: optional
    assert isinstance(skipped, Saved) and skipped.answer.kind == AnswerKind.SKIPPED
    assert skipped.step.id == "familiar"
    assert [a.kind for a in await _answers(sessions)][-1] == AnswerKind.SKIPPED


async def test_the_last_answer_completes_and_offers_the_follow_up(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    """A check-in that reports a rupture ends with the repair program offered."""
    cid = await _clinician(sessions)
    step = (await _start(sessions, catalog, clock, cid, CHECKIN_PROGRAM_ID)).step
    typed = {StepKind.RATING: "4", StepKind.TEXT: "Some words", StepKind.CHOICE: "1"}
    steps = 0
    while True:
        clock.advance(timedelta(minutes=1))
        answer = "withdrawal" if step.id == "rupture" else typed[step.kind]
        outcome = await _type(sessions, catalog, clock, cid, answer)
        steps += 1
        assert isinstance(outcome, Saved) and outcome.step.id == step.id
        if isinstance(outcome.then, Completed):
            break
        step = outcome.then.step
    completed = outcome.then
    assert completed.program.id == CHECKIN_PROGRAM_ID
    assert completed.seconds_spent == steps * 60
    assert completed.follow_up is not None and completed.follow_up.id == "rupture-repair"
    assert completed.offer.startswith("You noticed some strain")
    (reflection,) = await _reflections(sessions)
    assert reflection.status == ReflectionStatus.COMPLETED


async def test_a_day_untouched_is_set_aside_and_resumable_for_a_week(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    first = await _start(sessions, catalog, clock, cid, "two-relationships")
    await _type(sessions, catalog, clock, cid, "Someone")
    clock.advance(timedelta(hours=25))
    set_aside = await _type(sessions, catalog, clock, cid, "Late answer")
    assert set_aside == SetAside(first.reflection_id, first.program.title)
    assert len(await _answers(sessions)) == 1

    second = await _start(sessions, catalog, clock, cid, CHECKIN_PROGRAM_ID)
    resumed = await flows.resume(
        sessions, catalog, clock, clinician_id=cid, reflection_id=first.reflection_id
    )
    assert isinstance(resumed, Question) and resumed.step.id == "distant_picture"
    assert resumed.welcome_back == first.program.title
    assert resumed.other_set_aside == second.program.title
    statuses = {r.id: r.status for r in await _reflections(sessions)}
    assert statuses == {
        first.reflection_id: ReflectionStatus.IN_PROGRESS,
        second.reflection_id: ReflectionStatus.INCOMPLETE,
    }

    clock.advance(timedelta(days=8))
    resume_old = await flows.resume(
        sessions, catalog, clock, clinician_id=cid, reflection_id=second.reflection_id
    )
    assert resume_old == CannotResume()


async def test_cancel_discards_an_empty_reflection_and_keeps_one_with_answers(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    assert await flows.cancel(sessions, clock, clinician_id=cid) == NothingOpen()
    await _start(sessions, catalog, clock, cid, "two-relationships")
    assert await flows.cancel(sessions, clock, clinician_id=cid) == Cancelled(0)
    await _start(sessions, catalog, clock, cid, "two-relationships")
    await _type(sessions, catalog, clock, cid, "Someone")
    assert await flows.cancel(sessions, clock, clinician_id=cid) == Cancelled(1)
    assert [r.status for r in await _reflections(sessions)] == [
        ReflectionStatus.DISCARDED,
        ReflectionStatus.INCOMPLETE,
    ]


async def test_non_text_repeats_the_question(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    nothing = await flows.ask_again(sessions, catalog, clock, clinician_id=cid, seen=None)
    assert nothing == NothingOpen()
    first = await _start(sessions, catalog, clock, cid, CHECKIN_PROGRAM_ID)
    again = await flows.ask_again(sessions, catalog, clock, clinician_id=cid, seen=None)
    assert isinstance(again, Question) and again.note is Note.NOT_TEXT
    assert (again.reflection_id, again.step.id) == (first.reflection_id, first.step.id)


@pytest.mark.parametrize("whose", ["own", "foreign", "unknown"])
async def test_discard_and_start_links_only_the_clinicians_own_prompt(
    sessions: Sessions, catalog: Catalog, clock: FixedClock, whose: str
) -> None:
    """The delivery id comes from a button anyone can forge: only a prompt sent to this
    clinician is linked; any other is ignored and the program starts all the same."""
    cid = await _clinician(sessions)
    other = await _clinician(sessions, user=8)
    delivery = {
        "own": await _delivery(sessions, cid),
        "foreign": await _delivery(sessions, other),
        "unknown": 424242,
    }[whose]
    first = await _start(sessions, catalog, clock, cid, "two-relationships")
    await _type(sessions, catalog, clock, cid, "Someone")

    started = await flows.discard_and_start(
        sessions,
        catalog,
        clock,
        clinician_id=cid,
        reflection_id=first.reflection_id,
        program_id=CHECKIN_PROGRAM_ID,
        delivery_id=delivery,
    )
    assert isinstance(started, Question) and started.note is Note.DISCARDED and started.opening
    old, new = await _reflections(sessions)
    assert old.status == ReflectionStatus.DISCARDED and await _answers(sessions) == []
    assert new.program_id == CHECKIN_PROGRAM_ID
    assert new.delivery_id == (delivery if whose == "own" else None)


async def test_discard_and_start_refuses_what_no_longer_applies(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    cid = await _clinician(sessions)
    first = await _start(sessions, catalog, clock, cid, "two-relationships")

    async def discard(reflection_id: int, program_id: str) -> object:
        return await flows.discard_and_start(
            sessions,
            catalog,
            clock,
            clinician_id=cid,
            reflection_id=reflection_id,
            program_id=program_id,
            delivery_id=None,
        )

    assert await discard(first.reflection_id, "no-such-program") == Stale()
    assert await discard(first.reflection_id + 1, CHECKIN_PROGRAM_ID) == Stale()
    await flows.cancel(sessions, clock, clinician_id=cid)
    assert await discard(first.reflection_id, CHECKIN_PROGRAM_ID) == Stale(StaleReason.ENDED)
    assert len(await _reflections(sessions)) == 1


@contextmanager
def counted(sessions: Sessions) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_the_guards_reading_saves_two_queries_per_answer(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    """The answer path stays as short as it can be: given the open reflection and its answers
    as the guard's admission read them (one query, with the clinician), a typed answer only
    writes. The answers it read are the reflection's, in the order they were asked."""
    cid = await _clinician(sessions)
    await _start(sessions, catalog, clock, cid, CHECKIN_PROGRAM_ID)
    for typed in ("4", "5", "3"):  # bond, goals, tasks: ratings
        assert isinstance(await _type(sessions, catalog, clock, cid, typed), Saved)
    with counted(sessions) as unseen:
        assert isinstance(await _type(sessions, catalog, clock, cid, "4"), Saved)  # overall
    assert isinstance(await _type(sessions, catalog, clock, cid, "2"), Saved)  # rupture: a choice
    async with transaction(sessions) as session:
        admitted = await clinicians.admission(session, telegram_user_id=7)
        assert admitted.seen.reflection is not None
        asked = await store.given_answers(session, admitted.seen.reflection)  # a query of its own
    assert admitted.seen.given == tuple(asked)
    assert [(a.step_id, a.kind, a.rating, a.choice) for a in admitted.seen.given] == [
        ("bond", "rating", 4, None),
        ("goals", "rating", 5, None),
        ("tasks", "rating", 3, None),
        ("overall", "rating", 4, None),
        ("rupture", "choice", None, "withdrawal"),
    ]
    with counted(sessions) as seen:
        saved = await flows.answer_typed(
            sessions,
            catalog,
            clock,
            clinician_id=cid,
            text="They went quiet when I mentioned the break.",
            message_id=101,
            seen=admitted.seen,
        )
    assert isinstance(saved, Saved) and saved.step.id == "rupture_what"  # the choice counted
    assert len(seen) == len(unseen) - 2
    assert not [s for s in seen if s.lstrip().upper().startswith("SELECT")]
