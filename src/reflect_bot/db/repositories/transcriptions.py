"""Transcription jobs: voice notes queued by the bot, claimed with a lease by transcribers.

Claiming is like deliveries' (db/repositories/deliveries.py): on PostgreSQL the oldest job
is locked with FOR UPDATE SKIP LOCKED and claimed with a lease, so several transcribers take
disjoint jobs; SQLite serves one transcriber. A claim whose lease ran out (its
transcriber was killed) can be claimed again. Audio and transcripts are deleted here as soon
as they are no longer needed, and every such write wipes SQLite's write-ahead log on commit.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.engine import mark_erased
from reflect_bot.db.models import TranscriptionJob
from reflect_bot.db.statements import rowcount
from reflect_bot.domain.transcription import Failure, JobStatus


def _no_sync() -> dict[str, Any]:
    return {"synchronize_session": False}


def audio_of(job: TranscriptionJob) -> bytes | None:
    """The job's audio bytes, decrypted (None once it is gone)."""
    return None if job.audio is None else base64.b64decode(job.audio)


async def add(
    session: AsyncSession,
    *,
    clinician_id: int,
    chat_id: int,
    reflection_id: int | None,
    step_id: str | None,
    audio: bytes,
    duration_seconds: int,
    now: datetime,
) -> int:
    """Queues a voice note; returns the job's id."""
    job = TranscriptionJob(
        clinician_id=clinician_id,
        chat_id=chat_id,
        reflection_id=reflection_id,
        step_id=step_id,
        audio=base64.b64encode(audio).decode("ascii"),
        duration_seconds=duration_seconds,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    await session.flush()
    if job.id is None:  # pragma: no cover - set by the flush
        raise RuntimeError("job was not stored")
    return job.id


async def waiting_since(session: AsyncSession, *, before: datetime) -> bool:
    """Whether a job queued before `before` is still unclaimed (no transcriber is taking
    them, or many are waiting)."""
    found = await session.execute(
        select(func.count())
        .select_from(TranscriptionJob)
        .where(
            col(TranscriptionJob.status) == JobStatus.PENDING,
            col(TranscriptionJob.created_at) < before,
        )
    )
    return int(found.scalar_one()) > 0


def _claimable(now: datetime) -> Any:
    return or_(
        col(TranscriptionJob.status) == JobStatus.PENDING,
        and_(
            col(TranscriptionJob.status) == JobStatus.CLAIMED,
            col(TranscriptionJob.lease_until) < now,
        ),
    )


async def any_claimable(session: AsyncSession, *, now: datetime) -> bool:
    """Whether a job waits (a read only: an idle transcriber polls with this, so it never
    takes SQLite's write lock, or delays the bot's writes, while there is nothing to do)."""
    found = await session.execute(select(col(TranscriptionJob.id)).where(_claimable(now)).limit(1))
    return found.first() is not None


async def claim_next(
    session: AsyncSession, *, now: datetime, worker: str, lease_until: datetime
) -> TranscriptionJob | None:
    """Claims the oldest claimable job for `worker`, counting the attempt; None when idle.

    Two statements in one transaction: the oldest job is locked (PostgreSQL: FOR UPDATE SKIP
    LOCKED, so another transcriber passes over it), then claimed by id. One
    ``UPDATE … WHERE id IN (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED)`` is not safe here:
    PostgreSQL may plan it as a nested-loop semi-join that runs the subquery again for every
    row, so one transcriber claimed every waiting job (measured; tests/integration).
    """
    oldest = await session.execute(
        select(col(TranscriptionJob.id))
        .where(_claimable(now))
        .order_by(col(TranscriptionJob.created_at), col(TranscriptionJob.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job_id = oldest.scalar_one_or_none()
    if job_id is None:
        return None
    statement = (
        update(TranscriptionJob)
        .where(col(TranscriptionJob.id) == job_id, _claimable(now))
        .values(
            status=JobStatus.CLAIMED,
            lease_until=lease_until,
            claimed_by=worker,
            attempts=col(TranscriptionJob.attempts) + 1,
            updated_at=now,
        )
        .returning(TranscriptionJob)
        .execution_options(**_no_sync())
    )
    result = await session.execute(statement)
    return result.scalars().first()


def _mine(job_id: int, worker: str) -> Any:
    # Only the holder of the claim may close it: a lease that ran out may have passed on.
    return and_(
        col(TranscriptionJob.id) == job_id,
        col(TranscriptionJob.status) == JobStatus.CLAIMED,
        col(TranscriptionJob.claimed_by) == worker,
    )


async def renew(session: AsyncSession, *, job_id: int, worker: str, lease_until: datetime) -> bool:
    """Extends the claim while a long note is transcribed; False if it was lost."""
    result = await session.execute(
        update(TranscriptionJob)
        .where(_mine(job_id, worker))
        .values(lease_until=lease_until)
        .execution_options(**_no_sync())
    )
    return rowcount(result) == 1


async def keep_transcript(
    session: AsyncSession, *, job_id: int, worker: str, transcript: str, now: datetime
) -> bool:
    """Stores the transcript and deletes the audio (still claimed: the clinician is told next)."""
    result = await session.execute(
        update(TranscriptionJob)
        .where(_mine(job_id, worker))
        .values(transcript=transcript, audio=None, updated_at=now)
        .execution_options(**_no_sync())
    )
    mark_erased(session)
    return rowcount(result) == 1


async def keep_failure(
    session: AsyncSession, *, job_id: int, worker: str, failure: Failure, now: datetime
) -> bool:
    """Records why there is no transcript and deletes the audio (the clinician is told next)."""
    result = await session.execute(
        update(TranscriptionJob)
        .where(_mine(job_id, worker))
        .values(failure=failure.value, audio=None, transcript=None, updated_at=now)
        .execution_options(**_no_sync())
    )
    mark_erased(session)
    return rowcount(result) == 1


async def release(session: AsyncSession, *, job_id: int, worker: str, now: datetime) -> None:
    """Puts a claimed job back (an error that another try may not meet)."""
    await session.execute(
        update(TranscriptionJob)
        .where(_mine(job_id, worker))
        .values(status=JobStatus.PENDING, lease_until=None, claimed_by=None, updated_at=now)
        .execution_options(**_no_sync())
    )


async def mark_offered(
    session: AsyncSession, *, job_id: int, worker: str, message_id: int, now: datetime
) -> None:
    """The transcript was shown to the clinician in `message_id`."""
    await session.execute(
        update(TranscriptionJob)
        .where(_mine(job_id, worker))
        .values(
            status=JobStatus.OFFERED,
            offered_message_id=message_id,
            lease_until=None,
            claimed_by=None,
            updated_at=now,
        )
        .execution_options(**_no_sync())
    )


async def remove(session: AsyncSession, *, job_id: int) -> None:
    """Deletes a job with whatever it still holds."""
    await session.execute(delete(TranscriptionJob).where(col(TranscriptionJob.id) == job_id))
    mark_erased(session)


async def offered_to(
    session: AsyncSession, *, job_id: int, clinician_id: int
) -> TranscriptionJob | None:
    """The clinician's job whose transcript is on offer (None: not theirs, or decided).

    Its transcriber may not have marked it offered yet: the clinician can press a button
    the moment the message arrives, before that write commits.
    """
    found = await session.execute(
        select(TranscriptionJob).where(
            col(TranscriptionJob.id) == job_id,
            col(TranscriptionJob.clinician_id) == clinician_id,
            col(TranscriptionJob.status).in_([JobStatus.OFFERED, JobStatus.CLAIMED]),
            col(TranscriptionJob.transcript).is_not(None),
        )
    )
    return found.scalars().first()


async def drop_undecided(session: AsyncSession, *, before: datetime) -> int:
    """Deletes transcripts offered before `before` and never saved or discarded."""
    result = await session.execute(
        delete(TranscriptionJob).where(
            col(TranscriptionJob.status) == JobStatus.OFFERED,
            col(TranscriptionJob.updated_at) < before,
        )
    )
    if rowcount(result):
        mark_erased(session)
    return rowcount(result)


async def forget(session: AsyncSession, *, clinician_id: int) -> None:
    """Deletes every job of the clinician (/forget)."""
    await session.execute(
        delete(TranscriptionJob).where(col(TranscriptionJob.clinician_id) == clinician_id)
    )
