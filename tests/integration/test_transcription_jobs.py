"""The transcription job table on SQLite and PostgreSQL: audio encrypted at rest, claims
that never overlap, a dead transcriber's claim taken over once its lease runs out, and the
audio gone as soon as the words (or the failure) are kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import transcriptions as store
from reflect_bot.domain.transcription import Failure, JobStatus
from tests import factories
from tests.factories import NOW

AUDIO = b"OggS" + b"the client's name, spoken" * 20


async def _queued(sessions: async_sessionmaker[AsyncSession], count: int) -> list[int]:
    async with transaction(sessions) as session:
        clinician = await factories.add(session, factories.clinician())
        assert clinician.id is not None
        return [
            await store.add(
                session,
                clinician_id=clinician.id,
                chat_id=clinician.chat_id,
                reflection_id=None,
                step_id=None,
                audio=AUDIO,
                duration_seconds=3,
                now=NOW + timedelta(seconds=n),
            )
            for n in range(count)
        ]


async def test_audio_is_stored_encrypted_and_read_back_whole(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [job_id] = await _queued(sessions, 1)
    async with transaction(sessions) as session:
        raw = (await session.execute(text("SELECT audio FROM transcription_job"))).scalar_one()
        assert b"spoken" not in str(raw).encode() and "OggS" not in str(raw)
        job = await store.claim_next(
            session, now=NOW, worker="w", lease_until=NOW + timedelta(minutes=1)
        )
    assert job is not None and job.id == job_id and store.audio_of(job) == AUDIO


async def test_concurrent_claims_take_different_jobs(
    sessions: async_sessionmaker[AsyncSession], migrated_url: str
) -> None:
    await _queued(sessions, 2)

    async def claim(worker: str) -> int | None:
        async with transaction(sessions) as session:
            job = await store.claim_next(
                session, now=NOW, worker=worker, lease_until=NOW + timedelta(minutes=1)
            )
            await asyncio.sleep(0.2)  # hold the claim's row lock while the other claims
            return None if job is None else job.id

    claimed = [job for job in await asyncio.gather(claim("a"), claim("b")) if job is not None]
    assert claimed and len(set(claimed)) == len(claimed)  # never the same job twice
    if migrated_url.startswith("postgresql"):
        # Several transcribers: the second passes over the locked job to the next one.
        assert len(claimed) == 2
    # SQLite serves one transcriber: whichever claims second waits, then finds its job taken
    # (on a busy machine either may be first).


async def test_a_dead_transcribers_claim_is_taken_over_after_its_lease(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [job_id] = await _queued(sessions, 1)
    lease = NOW + timedelta(seconds=60)
    async with transaction(sessions) as session:
        assert await store.claim_next(session, now=NOW, worker="dead", lease_until=lease)
    async with transaction(sessions) as session:
        later = NOW + timedelta(seconds=30)
        assert not await store.any_claimable(session, now=later)
        assert await store.claim_next(session, now=later, worker="b", lease_until=lease) is None
    async with transaction(sessions) as session:
        after = NOW + timedelta(seconds=61)
        job = await store.claim_next(
            session, now=after, worker="b", lease_until=after + timedelta(seconds=60)
        )
        assert job is not None and job.id == job_id and job.attempts == 2
        # The dead one's late result no longer counts: only the holder closes a claim.
        kept = await store.keep_transcript(
            session, job_id=job_id, worker="dead", transcript="late", now=after
        )
        assert not kept


async def test_keeping_words_or_a_failure_deletes_the_audio(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    words, fails = await _queued(sessions, 2)
    async with transaction(sessions) as session:
        for _ in range(2):
            await store.claim_next(
                session, now=NOW, worker="w", lease_until=NOW + timedelta(minutes=1)
            )
        assert await store.keep_transcript(
            session, job_id=words, worker="w", transcript="heard", now=NOW
        )
        assert await store.keep_failure(
            session, job_id=fails, worker="w", failure=Failure.LANGUAGE, now=NOW
        )
    async with transaction(sessions) as session:
        rows = (
            await session.execute(
                text("SELECT id, audio, status FROM transcription_job ORDER BY id")
            )
        ).all()
    assert [(row[1], row[2]) for row in rows] == [
        (None, JobStatus.CLAIMED.value),
        (None, JobStatus.CLAIMED.value),
    ]
