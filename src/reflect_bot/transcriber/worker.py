"""The transcriber's loop: claim a job, transcribe it, keep the words, tell the clinician.

The transcriber itself sends "Here's what I heard" (with Save / Edit / Discard) or the kind
words for a failure: going through the bot's delivery tick would add up to a tick's wait to
every note, and the transcriber already holds the claim that makes the message happen once.

Once per job: the transcript (or failure) is committed, with the audio deleted, before the
message is sent, and the job is marked offered after it. A transcriber killed before the
commit leaves a claim whose lease runs out: another (or the same, restarted) transcribes the
note again. Killed after the commit, the next claim only sends. As for deliveries, a second
message can arise only when Telegram's answer to a send is lost (docs/delivery.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from contextlib import suppress
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from reflect_bot.clock import Clock
from reflect_bot.config import Settings
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import TranscriptionJob
from reflect_bot.db.repositories import transcriptions as store
from reflect_bot.domain.transcription import Failure, gives_up
from reflect_bot.transcriber.engine import Engine, Heard
from reflect_bot.ui import voice as ui

log = logging.getLogger(__name__)

# A transcript nobody saved, edited or discarded for this long is deleted.
UNDECIDED_KEPT = timedelta(days=2)
SWEEP_EVERY = timedelta(minutes=10)


def worker_name() -> str:
    return f"transcriber:{socket.gethostname()}:{os.getpid()}"[:64]


class Transcriber:
    """One transcriber process's loop over the job table."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        engine: Engine,
        bot: Bot,
        worker: str | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.engine = engine
        self.bot = bot
        self.worker = worker or worker_name()
        self.lease = timedelta(seconds=settings.transcription_lease_seconds)
        self._next_sweep = clock.now()

    async def run(self, stop: asyncio.Event) -> None:
        """Works until `stop` is set; a database or Telegram outage is waited out."""
        while not stop.is_set():
            try:
                busy = await self.once()
            except (SQLAlchemyError, TelegramError, OSError) as exc:
                log.warning("transcriber: %s; trying again shortly", type(exc).__name__)
                busy = False
            if not busy:
                with suppress(TimeoutError):
                    await asyncio.wait_for(
                        stop.wait(), timeout=self.settings.transcription_poll_seconds
                    )

    async def once(self) -> bool:
        """Handles one job, if any is waiting; False when there was none."""
        now = self.clock.now()
        if now >= self._next_sweep:
            async with transaction(self.sessions) as session:
                await store.drop_undecided(session, before=now - UNDECIDED_KEPT)
            self._next_sweep = now + SWEEP_EVERY
        async with self.sessions() as session:
            if not await store.any_claimable(session, now=now):
                return False
        async with transaction(self.sessions) as session:
            job = await store.claim_next(
                session, now=now, worker=self.worker, lease_until=now + self.lease
            )
        if job is None or job.id is None:
            return False
        needs_words = job.transcript is None and job.failure is None
        if needs_words and not await self._transcribe(job):
            return True
        await self._tell(job)
        return True

    async def _transcribe(self, job: TranscriptionJob) -> bool:
        """Transcribes the job's audio and keeps the result; False if the claim was lost or
        the job was put back for another try."""
        assert job.id is not None
        result: Heard | Failure
        audio = store.audio_of(job)
        if gives_up(job.attempts) or audio is None:
            result = Failure.GAVE_UP
        else:
            try:
                result = await self._while_renewing(job.id, audio)
            except Exception as exc:  # the engine's own fault: another try may succeed
                log.warning("transcribing job %s failed: %s", job.id, type(exc).__name__)
                if not gives_up(job.attempts + 1):
                    async with transaction(self.sessions) as session:
                        await store.release(
                            session, job_id=job.id, worker=self.worker, now=self.clock.now()
                        )
                    return False
                result = Failure.GAVE_UP
        async with transaction(self.sessions) as session:
            now = self.clock.now()
            if isinstance(result, Heard):
                kept = await store.keep_transcript(
                    session, job_id=job.id, worker=self.worker, transcript=result.text, now=now
                )
                job.transcript = result.text
            else:
                kept = await store.keep_failure(
                    session, job_id=job.id, worker=self.worker, failure=result, now=now
                )
                job.failure = result.value
        job.audio = None
        if isinstance(result, Heard):
            log.info("job %s: %.0f s of audio transcribed", job.id, result.seconds)
        else:
            log.info("job %s: no transcript (%s)", job.id, result.value)
        return kept

    async def _while_renewing(self, job_id: int, audio: bytes) -> Heard | Failure:
        """Runs the blocking engine in a thread, renewing the claim's lease meanwhile."""
        work = asyncio.create_task(asyncio.to_thread(self.engine.transcribe, audio))
        every = self.lease.total_seconds() / 3
        while True:
            done, _ = await asyncio.wait({work}, timeout=every)
            if done:
                return work.result()
            async with transaction(self.sessions) as session:
                now = self.clock.now()
                await store.renew(
                    session, job_id=job_id, worker=self.worker, lease_until=now + self.lease
                )

    async def _tell(self, job: TranscriptionJob) -> None:
        """Shows the transcript with its buttons, or says kindly why there is none."""
        assert job.id is not None
        try:
            if job.transcript is not None:
                text, keyboard = ui.heard(
                    job.id, job.transcript, for_step=job.reflection_id is not None
                )
                message = await self.bot.send_message(
                    job.chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    protect_content=True,
                )
                async with transaction(self.sessions) as session:
                    await store.mark_offered(
                        session,
                        job_id=job.id,
                        worker=self.worker,
                        message_id=message.message_id,
                        now=self.clock.now(),
                    )
                return
            await self.bot.send_message(
                job.chat_id,
                ui.failed(job.failure or "", max_seconds=self.settings.speech_max_seconds),
                parse_mode=ParseMode.HTML,
            )
        except Forbidden:
            log.info("job %s: the clinician blocked the bot; dropped", job.id)
        except TelegramError:
            # Not told yet: put back, so the next claim (after a pause) tells them.
            async with transaction(self.sessions) as session:
                await store.release(
                    session, job_id=job.id, worker=self.worker, now=self.clock.now()
                )
            raise
        async with transaction(self.sessions) as session:
            await store.remove(session, job_id=job.id)
