"""Loading a journal for export: only the clinician's own reflections, decrypted, in two queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog, Program, default_prompts_dir, load_catalog
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import journal
from reflect_bot.domain.export import EXPORTED_STATUSES
from reflect_bot.domain.journaling import ReflectionStatus
from tests.integration.journal_seed import edit_text_answer, seed_clinician, seed_reflection

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHECKIN_STEPS: list[tuple[str, str | int]] = [
    ("bond", 4),
    ("goals", 3),
    ("tasks", 4),
    ("overall", 4),
    ("rupture", "none"),
    ("client_rating", 3),
    ("note", "She *laughed* for the first time. <b>Trust</b> is growing."),
]


def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


@contextmanager
def counting_statements(sessions: async_sessionmaker[AsyncSession]) -> Iterator[list[str]]:
    engine = sessions.kw["bind"].sync_engine
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_loads_own_reflections_in_range_decrypted_and_in_order(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    programs = catalog().programs
    checkin, repair = programs["post-session-checkin"], programs["rupture-repair"]
    async with transaction(sessions) as session:
        ana = await seed_clinician(session, user_id=1001, now=NOW)
        ben = await seed_clinician(session, user_id=1002, now=NOW)
        assert ana.id is not None and ben.id is not None

        async def seed(
            clinician_id: int,
            day: int,
            month: int = 11,
            *,
            program: Program = checkin,
            answers: Sequence[tuple[str, str | int]] = CHECKIN_STEPS,
            status: str = ReflectionStatus.COMPLETED.value,
        ) -> int:
            reflection = await seed_reflection(
                session,
                clinician_id=clinician_id,
                program=program,
                answers=answers,
                started_at=datetime(2026, month, day, 18, 0, tzinfo=UTC),
                status=status,
            )
            assert reflection.id is not None
            return reflection.id

        october = await seed(ana.id, 30, month=10)
        completed = await seed(ana.id, 3)
        repaired = await seed(
            ana.id,
            3,
            program=repair,
            answers=[("rupture", "withdrawal"), ("moment", "I rushed.")],
            status="incomplete",
        )
        await seed(ana.id, 12, status="discarded")
        open_one = await seed(ana.id, 20, answers=CHECKIN_STEPS[:2], status="in_progress")
        await seed(ben.id, 3)
        await edit_text_answer(
            session, reflection_id=completed, step_id="note", text="Edited: trust grows.", now=NOW
        )

    async with transaction(sessions) as session:
        november = await journal.load_reflections(
            session,
            clinician_id=ana.id,
            statuses=EXPORTED_STATUSES,
            started_from=datetime(2026, 11, 1, tzinfo=UTC),
            started_before=datetime(2026, 12, 1, tzinfo=UTC),
        )
        everything = await journal.load_reflections(
            session, clinician_id=ana.id, statuses=EXPORTED_STATUSES
        )
        repairs = await journal.load_reflections(
            session, clinician_id=ana.id, statuses=EXPORTED_STATUSES, program_id="rupture-repair"
        )
        stored_note = (
            (await session.execute(text("SELECT text FROM answer WHERE step_id = 'note'")))
            .scalars()
            .all()
        )

    assert [(r.id, r.status) for r in november] == [
        (completed, "completed"),
        (repaired, "incomplete"),
        (open_one, "in_progress"),
    ]
    assert [r.id for r in everything] == [october, completed, repaired, open_one]
    assert [r.id for r in repairs] == [repaired]

    first = november[0]
    assert first.program_title == "Post-session check-in"
    assert first.started_at == datetime(2026, 11, 3, 18, 0, tzinfo=UTC)
    assert first.seconds_spent == 7 * 60
    assert [a.step_id for a in first.answers] == [step for step, _ in CHECKIN_STEPS]
    assert [a.position for a in first.answers] == sorted(a.position for a in first.answers)
    bond, rupture, note = first.answers[0], first.answers[4], first.answers[6]
    assert (bond.kind, bond.rating, bond.question) == ("rating", 4, checkin.step("bond").question)
    assert (rupture.choice, rupture.choice_label) == (
        "none",
        checkin.step("rupture").option("none").label,
    )
    assert (note.kind, note.text, note.edited) == ("text", "Edited: trust grows.", True)
    assert not any(a.edited for a in first.answers[:6])

    # At rest the answers are ciphertext: neither the text nor the edit is readable.
    assert stored_note and all(
        "trust" not in value and "Trust" not in value for value in stored_note
    )


async def test_three_queries_whatever_the_number_of_reflections(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    checkin = catalog().programs["post-session-checkin"]
    async with transaction(sessions) as session:
        ana = await seed_clinician(session, user_id=1001, now=NOW)
        assert ana.id is not None
        for day in range(1, 21):
            await seed_reflection(
                session,
                clinician_id=ana.id,
                program=checkin,
                answers=CHECKIN_STEPS,
                started_at=datetime(2026, 11, day, 18, 0, tzinfo=UTC),
            )
    with counting_statements(sessions) as statements:
        async with transaction(sessions) as session:
            loaded = await journal.load_reflections(
                session, clinician_id=ana.id, statuses=EXPORTED_STATUSES
            )
    assert len(loaded) == 20 and all(len(r.answers) == 7 for r in loaded)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 3
