"""Datetimes come back aware UTC and free text is never stored in plaintext."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Clinician
from tests import factories
from tests.factories import add

MARKER = "ZEBRA-MARKER-4411 my client cried"


async def _clinician(session: AsyncSession, when: datetime) -> Clinician:
    return await add(
        session,
        factories.clinician(user=77, name="Dr Who", zone=None, consented_at=None, created_at=when),
    )


async def test_datetimes_round_trip_as_aware_utc(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    kolkata = timezone(timedelta(hours=5, minutes=30))
    moment = datetime(2026, 3, 29, 6, 30, tzinfo=kolkata)
    async with transaction(sessions) as session:
        await _clinician(session, moment)
    async with transaction(sessions) as session:
        stored = (await session.execute(select(Clinician))).scalar_one()
    assert stored.created_at == moment
    assert stored.created_at.tzinfo == UTC
    assert stored.created_at.hour == 1


async def test_naive_datetimes_are_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(StatementError, match="naive datetime refused"):
        async with transaction(sessions) as session:
            await _clinician(session, datetime(2026, 1, 1, 9, 0))


async def test_answer_text_is_encrypted_at_rest(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    async with transaction(sessions) as session:
        clinician = await _clinician(session, now)
        assert clinician.id is not None
        reflection = await add(
            session,
            factories.reflection(
                clinician_id=clinician.id, program_id="affect-labeling", started_at=now
            ),
        )
        assert reflection.id is not None
        session.add(
            factories.answer(
                reflection_id=reflection.id,
                step_id="feeling",
                question="What?",
                text=MARKER,
                answered_at=now,
            )
        )
        session.add(factories.schedule(clinician_id=clinician.id, created_at=now))
    async with transaction(sessions) as session:
        raw = (await session.execute(text("SELECT text, question FROM answer"))).one()
        answer = (await session.execute(select(Answer))).scalar_one()
    assert MARKER not in raw[0] and raw[0].startswith("gAAAA")  # a Fernet token
    assert "What?" not in raw[1]
    assert answer.text == MARKER


async def test_sqlite_file_holds_no_plaintext(
    sqlite_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if "postgres" in str(sessions.kw.get("bind", "")):
        pytest.skip("file check is for SQLite")
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    async with transaction(sessions) as session:
        clinician = await _clinician(session, now)
        clinician.display_name = MARKER
    await sessions.kw["bind"].dispose()
    folder = Path(sqlite_url.split(":///", 1)[1]).parent
    for path in folder.glob("reflect.sqlite3*"):
        assert MARKER.encode() not in path.read_bytes(), path.name
