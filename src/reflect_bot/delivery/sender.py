"""The sender: claims due delivery rows, composes them, sends them, and records the outcome.

Delivery semantics: **at-least-once**, with one known source of duplicates.

1. *Claim.* A transaction moves due rows from ``pending`` to ``claimed`` with this worker's
   name and a lease (``LEASE``), and commits. On PostgreSQL the claim is
   ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``, so concurrent
   senders — in one process or many — take disjoint rows. SQLite has no row locks: it is the
   single-process set-up; within that process one UPDATE statement claims atomically, so two
   ticks at once still take disjoint rows.
2. *Send.* Only while the lease has more than ``LEASE_MARGIN`` left — longer than any one
   request can take — so a row is never sent while another worker may claim it.
3. *Record.* ``claimed`` → ``sent`` (or ``skipped``/``failed``, or back to ``pending`` with a
   later due time), only by the worker that holds the claim. "Sent" marks are committed
   together, at most ``FLUSH_EVERY`` seconds after Telegram's answer.

A row whose lease runs out while still ``claimed`` is claimable again: its sender died
between claiming and recording. If it died *before* sending (e.g. ``kill -9`` right after
the claim), the next claim sends it — exactly one message. The only way a prompt can reach a
clinician twice is when **Telegram's answer to a send was lost**: the process died, or the
connection dropped or timed out, after Telegram had accepted the message but before its
``sent`` mark was committed. Then the row is sent again (after the lease, or as a retry).
Nothing else sends twice: planning is insert-or-ignore on (clinician, schedule, local date),
and a claim is exclusive. We chose at-least-once over at-most-once because a reflective
habit is better served by a rare repeated prompt than by a silently lost one. (A prompt the
clinician snoozes is sent again on purpose, from the same row.)

Timing: rows are sent no later than ``settings.lateness_window`` after they were due; older
unsent rows are marked ``missed`` and never sent (no burst after downtime). Telegram's
answers: 429 puts the row back with its due time pushed by ``retry_after`` and the sender
carries on with other rows; 403 (the clinician blocked the bot) stops everything for them
(flows/reachability.py); 5xx, network errors and timeouts are retried with backoff
(``RETRY_BACKOFF``) up to ``MAX_ATTEMPTS``, then the row is ``failed``; 400 is ``failed``
at once. A delivery of several messages (the digest, then its chart) is recorded by its
first: a later one that fails is retried in place as a reply is (`transport.patiently`) and
then left out, never resending the first (`_send_follow_on`). Pacing (`Pacer`): evenly
spaced sends at ``settings.send_rate_per_second``, never more than that many requests in
flight or finished within any second, and one per ``PER_CHAT_INTERVAL`` per chat.

A delivery becomes its messages through the composer of its ``Delivery.kind``, from the
`Composers` the Sender is built with (`delivery.composers`); a composer returning None skips
the row. Each composer is handed the whole claimed batch, to load what it needs for all rows
at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import time
import uuid
import warnings
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Delivery, Schedule
from reflect_bot.db.repositories import deliveries
from reflect_bot.db.repositories.deliveries import FAILED, SKIPPED
from reflect_bot.delivery.outgoing import Composers, Outgoing
from reflect_bot.domain.scheduling import is_paused
from reflect_bot.flows.reachability import stop_reaching
from reflect_bot.services import Services
from reflect_bot.transport import patiently

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# Longer than a delivery's requests can take (PTB's timeouts: 5 + 5 + 5 + 1 s per request).
LEASE_MARGIN = timedelta(minutes=2)
MAX_ATTEMPTS = 5
RETRY_BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
)
PER_CHAT_INTERVAL = 1.0
CHAT_BUSY_POLL = 0.05
# Claim the next batch when fewer than this many seconds of sends remain reserved.
REFILL_AHEAD = 0.5
# Requests in flight at once: enough for hundreds a second, few enough to leave most of the
# bot's connections to Telegram (app.CONNECTION_POOL_SIZE) to replies.
MAX_IN_FLIGHT = 8
# How long a "sent" mark may wait to be committed with others.
FLUSH_EVERY = 0.05

_Row = TypeVar("_Row", Clinician, Schedule)


@dataclass
class SendReport:
    """What one run of the sender did, counted per outcome."""

    sent: int = 0
    missed: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0  # 429: pushed back by retry_after
    retried: int = 0  # 5xx, network error or timeout: pushed back with backoff
    unreachable: int = 0  # 403: the clinician blocked the bot


def worker_name() -> str:
    """Names this process in claims: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Pacer:
    """Keeps sends under a rate overall and one per chat per `per_chat_interval`.

    Three rules, each cheap:

    - sends start on evenly spaced slots (no bursts from a batch arriving at once);
    - at most `rate` requests in any second, counting those still in flight and those that
      finished within the last second. A request reaches Telegram after it starts and
      before it finishes, so this count is never below Telegram's own — network and event
      loop jitter cannot push a second over the limit;
    - a chat's next send starts a full interval after its previous one finished.

    Turns are taken synchronously (no await between looking and taking), so concurrent
    tasks in one event loop never share one.
    """

    def __init__(self, rate: float, *, per_chat_interval: float = PER_CHAT_INTERVAL) -> None:
        self.interval = 1.0 / rate
        self.per_second = max(1, math.floor(rate))
        self.per_chat_interval = per_chat_interval
        self._next = 0.0
        self._in_flight = 0
        self._finished: deque[float] = deque()  # finish times, in order: appended as they happen
        self._chat_next: dict[int, float] = {}

    def backlog(self) -> float:
        """Seconds of sends already reserved ahead of now."""
        return max(0.0, self._next - time.monotonic())

    @asynccontextmanager
    async def turn(
        self,
        chat_id: int,
        *,
        gate: asyncio.Semaphore | None = None,
        on_slot: Callable[[], None] | None = None,
    ) -> AsyncIterator[None]:
        """Waits for this chat's turn; the send happens inside the block.

        `gate` bounds requests in flight; it is taken after the slot (so waiting for a
        slot holds no request capacity) and before the per-second count (so requests that
        waited for the gate cannot leave in a bunch). `on_slot` is told when the slot is
        reserved.
        """
        while True:  # a timed wait while the chat's previous send is recent or in flight
            wait = self._chat_next.get(chat_id, 0.0) - time.monotonic()
            if wait <= 0:
                break
            await asyncio.sleep(min(wait, CHAT_BUSY_POLL))
        # The chat is ours until this send finishes: a second send to it waits above.
        self._chat_next[chat_id] = math.inf
        counted = False
        try:
            slot = self._reserve_slot()
            if on_slot is not None:
                on_slot()
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            async with gate if gate is not None else contextlib.nullcontext():
                await self._within_second()
                self._in_flight += 1
                counted = True
                yield
        finally:
            done = time.monotonic()
            if counted:
                self._in_flight -= 1
                self._finished.append(done)
            self._chat_next[chat_id] = done + self.per_chat_interval
            if len(self._chat_next) > 10_000:  # forget chats whose interval has long passed
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > done}

    def _reserve_slot(self) -> float:
        slot = max(time.monotonic(), self._next)
        self._next = slot + self.interval
        return slot

    async def _within_second(self) -> None:
        while True:
            now = time.monotonic()
            while self._finished and self._finished[0] <= now - 1.0:
                self._finished.popleft()
            if len(self._finished) + self._in_flight < self.per_second:
                return
            await asyncio.sleep(self._finished[0] + 1.0 - now if self._finished else 0.001)


@dataclass
class _Job:
    delivery: Delivery
    chat_id: int
    clinician_id: int
    messages: list[Outgoing]


class _SentMarks:
    """Collects "sent" marks and commits them together every few milliseconds.

    One UPDATE per batch instead of a transaction per message keeps the database out of the
    way at hundreds of sends a second. A mark waits at most ``FLUSH_EVERY`` seconds; a crash
    in that moment is the documented duplicate case (Telegram accepted, not yet recorded).
    """

    def __init__(self, services: Services, worker: str) -> None:
        self.services = services
        self.worker = worker
        self._marks: list[dict[str, Any]] = []
        self._flushing: asyncio.Task[None] | None = None

    def add(self, delivery_id: int, message_id: int | None) -> None:
        self._marks.append(
            {
                "b_id": delivery_id,
                "b_message_id": message_id,
                "b_sent_at": self.services.clock.now(),
            }
        )
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_EVERY)
        await self.flush()

    async def flush(self) -> None:
        while self._marks:
            marks, self._marks = self._marks, []
            for attempt in range(1, 4):
                try:
                    async with transaction(self.services.sessions) as session:
                        await deliveries.mark_sent_many(session, marks=marks, worker=self.worker)
                    break
                except SQLAlchemyError as exc:
                    # Unrecorded sends are sent again after their lease: retry a few times.
                    log.error(
                        "recording %s sends failed (try %s): %s",
                        len(marks),
                        attempt,
                        type(exc).__name__,
                    )
                    await asyncio.sleep(0.2 * attempt)

    async def close(self) -> None:
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)
        await self.flush()


@dataclass
class Sender:
    """Sends due rows for one running bot; keep one per bot so pacing spans ticks.

    `composers` turn each kind of delivery into messages (`delivery.composers`).
    """

    services: Services
    bot: Bot
    composers: Composers
    worker: str = field(default_factory=worker_name)
    pacer: Pacer | None = None

    def __post_init__(self) -> None:
        if self.pacer is None:
            self.pacer = Pacer(self.services.settings.send_rate_per_second)
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._waiting = 0  # claimed jobs not yet given a turn to send

    @property
    def batch_size(self) -> int:
        # Half a second of sends: composing a batch never holds the event loop for long.
        return max(10, min(500, round(self.services.settings.send_rate_per_second / 2)))

    async def run(self, *, max_wait: float | None = None) -> SendReport:
        """Sends everything due now; then waits for rows due within `max_wait` seconds (e.g.
        pushed back by a 429) while the clock moves, and sends those too."""
        report = SendReport()
        clock, window = self.services.clock, self.services.settings.lateness_window
        marks = _SentMarks(self.services, self.worker)
        tasks: set[asyncio.Task[None]] = set()
        try:
            async with transaction(self.services.sessions) as session:
                now = clock.now()
                report.missed += await deliveries.mark_missed(session, before=now - window, now=now)
            while True:
                await self._until_work_runs_low()
                jobs = await self._claim_and_compose(report)
                if jobs is None:  # nothing due now
                    if not await self._wait_for_next(max_wait, tasks):
                        break
                    continue
                self._waiting += len(jobs)
                for job in jobs:
                    task = asyncio.create_task(self._send(job, report, marks))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
        finally:
            await self._settle(tasks)
            await marks.close()
        return report

    def _work_ahead(self) -> float:
        """Seconds of sending already claimed: jobs waiting for a turn, and reserved slots."""
        assert self.pacer is not None
        return self._waiting / self.services.settings.send_rate_per_second + self.pacer.backlog()

    async def _until_work_runs_low(self) -> None:
        # Claim more only when what is claimed runs low: rows stay pending (claimable by
        # another process) until this one can really send them.
        while True:
            ahead = self._work_ahead() - REFILL_AHEAD
            if ahead <= 0:
                return
            await asyncio.sleep(ahead)

    @staticmethod
    async def _settle(tasks: set[asyncio.Task[None]]) -> None:
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, Exception):
                log.error("a send task failed: %s", type(outcome).__name__)

    async def _wait_for_next(self, max_wait: float | None, tasks: set[asyncio.Task[None]]) -> bool:
        """True when a row falls due soon and the clock is moving, after waiting for it."""
        await self._settle(tasks)  # outcomes still in flight may push rows back: let them land
        if not max_wait:
            return False
        clock, window = self.services.clock, self.services.settings.lateness_window
        before = clock.now()
        async with transaction(self.services.sessions) as session:
            due = await deliveries.next_due(session, not_before=before - window)
        if due is None:
            return False
        wait = (due - before).total_seconds()
        if wait > max_wait:
            return False
        await asyncio.sleep(max(wait, 0.05))
        return clock.now() > before  # a clock that stands still (tests) would spin forever

    async def _claim_and_compose(self, report: SendReport) -> list[_Job] | None:
        clock, window = self.services.clock, self.services.settings.lateness_window
        async with transaction(self.services.sessions) as session:
            now = clock.now()
            claimed = await deliveries.claim_due(
                session,
                now=now,
                not_before=now - window,
                worker=self.worker,
                lease_until=now + LEASE,
                limit=self.batch_size,
            )
        if not claimed:
            return None
        jobs: list[_Job] = []
        closing: list[tuple[Delivery, str, str]] = []  # (row, status, reason)
        # Composing only reads; one session for the batch, whose rows composers may look at.
        async with self.services.sessions() as session:
            people = await _by_id(session, Clinician, {d.clinician_id for d in claimed})
            plans = await _by_id(session, Schedule, {d.schedule_id for d in claimed})
            for delivery in claimed:
                clinician = people.get(delivery.clinician_id)
                reason = _reason_not_to_send(delivery, clinician, plans.get(delivery.schedule_id))
                composer = self.composers.get(delivery.kind)
                if reason is not None or clinician is None:
                    closing.append((delivery, SKIPPED, reason or "no clinician"))
                    continue
                if composer is None:
                    closing.append((delivery, FAILED, f"no composer for {delivery.kind}"))
                    continue
                try:
                    messages = await composer(
                        session, self.services, clinician, delivery, batch=claimed
                    )
                except Exception as exc:
                    # Type only: a composer's error message may quote clinical text.
                    log.error("composing delivery %s failed: %s", delivery.id, type(exc).__name__)
                    await session.rollback()
                    closing.append((delivery, FAILED, f"compose: {type(exc).__name__}"))
                    continue
                if not messages:
                    closing.append((delivery, SKIPPED, "nothing to send"))
                    continue
                jobs.append(_Job(delivery, clinician.chat_id, delivery.clinician_id, messages))
            await session.rollback()
        if closing:
            async with transaction(self.services.sessions) as session:
                for delivery, status, reason in closing:
                    assert delivery.id is not None
                    await deliveries.close(
                        session,
                        delivery_id=delivery.id,
                        worker=self.worker,
                        status=status,
                        error=reason,
                    )
                    if status == SKIPPED:
                        report.skipped += 1
                    else:
                        report.failed += 1
        return jobs

    async def _send(self, job: _Job, report: SendReport, marks: _SentMarks) -> None:
        delivery = job.delivery
        assert delivery.id is not None and self.pacer is not None
        try:
            first = await self._deliver(job)
        except RetryAfter as exc:
            await self._release(delivery, _seconds(exc), None, "429 too many requests")
            report.deferred += 1
        except Forbidden:
            await self._unreachable(job)
            report.unreachable += 1
        except (BadRequest, InvalidToken) as exc:
            # Our request is wrong (or the token is): retrying the same request cannot help.
            log.error("delivery %s refused by Telegram: %s", delivery.id, type(exc).__name__)
            await self._record_close(delivery, FAILED, f"refused: {type(exc).__name__}")
            report.failed += 1
        except TelegramError as exc:
            # 5xx, network errors and timeouts. A timeout may hide a send that did happen:
            # the documented duplicate case.
            attempts = delivery.attempts + 1
            error = type(exc).__name__
            if attempts >= MAX_ATTEMPTS:
                log.warning("delivery %s failed after %s attempts", delivery.id, attempts)
                await self._record_close(delivery, FAILED, error, attempts=attempts)
                report.failed += 1
            else:
                backoff = RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF)) - 1]
                await self._release(delivery, backoff.total_seconds(), attempts, error)
                report.retried += 1
        else:
            if first is not None:
                marks.add(delivery.id, first.message_id)
                report.sent += 1

    async def _deliver(self, job: _Job) -> Message | None:
        """Sends a job's messages in its turn; None when its lease is too near its end."""
        assert self.pacer is not None
        started = False

        def slot_taken() -> None:
            nonlocal started
            started = True
            self._waiting -= 1

        try:
            async with self.pacer.turn(job.chat_id, gate=self._in_flight, on_slot=slot_taken):
                lease_until = job.delivery.lease_until
                if (
                    lease_until is not None
                    and self.services.clock.now() > lease_until - LEASE_MARGIN
                ):
                    log.warning(
                        "lease of delivery %s nearly over; left for the next claim", job.delivery.id
                    )
                    return None
                first, *rest = job.messages
                message = await _send_one(self.bot, job.chat_id, first)
                for outgoing in rest:
                    await _send_follow_on(self.bot, job.chat_id, outgoing, job.delivery.id)
                return message
        finally:
            if not started:
                self._waiting -= 1

    async def _release(
        self, delivery: Delivery, after_seconds: float, attempts: int | None, error: str
    ) -> None:
        assert delivery.id is not None
        async with transaction(self.services.sessions) as session:
            await deliveries.release(
                session,
                delivery_id=delivery.id,
                worker=self.worker,
                due_at=self.services.clock.now() + timedelta(seconds=after_seconds),
                attempts=attempts,
                error=error,
            )

    async def _record_close(
        self, delivery: Delivery, status: str, error: str, *, attempts: int | None = None
    ) -> None:
        assert delivery.id is not None
        async with transaction(self.services.sessions) as session:
            await deliveries.close(
                session,
                delivery_id=delivery.id,
                worker=self.worker,
                status=status,
                error=error,
                attempts=attempts,
            )

    async def _unreachable(self, job: _Job) -> None:
        """403: the clinician blocked the bot. Stop everything for them until they return."""
        assert job.delivery.id is not None
        now = self.services.clock.now()
        async with transaction(self.services.sessions) as session:
            await deliveries.close(
                session,
                delivery_id=job.delivery.id,
                worker=self.worker,
                status=FAILED,
                error="403 blocked",
            )
            await stop_reaching(session, clinician_id=job.clinician_id, now=now)


def _reason_not_to_send(
    delivery: Delivery, clinician: Clinician | None, schedule: Schedule | None
) -> str | None:
    if clinician is None or clinician.consented_at is None or clinician.timezone is None:
        return "no clinician"
    if not clinician.reachable:
        return "unreachable"
    if schedule is None or not schedule.active:
        return "schedule stopped"
    if is_paused(clinician.paused_until, delivery.due_at):
        return "paused"
    return None


async def _by_id(session: AsyncSession, model: type[_Row], ids: set[int]) -> dict[int, _Row]:
    result = await session.execute(select(model).where(model.id.in_(ids)))  # type: ignore[union-attr]
    return {row.id: row for row in result.scalars() if row.id is not None}


async def _send_one(bot: Bot, chat_id: int, outgoing: Outgoing) -> Message:
    if outgoing.photo is not None:
        return await bot.send_photo(
            chat_id,
            outgoing.photo,
            caption=outgoing.text,
            parse_mode=ParseMode.HTML,
            reply_markup=outgoing.keyboard,
            protect_content=outgoing.protect,
        )
    return await bot.send_message(
        chat_id,
        outgoing.text,
        parse_mode=ParseMode.HTML,
        reply_markup=outgoing.keyboard,
        protect_content=outgoing.protect,
    )


async def _send_follow_on(
    bot: Bot, chat_id: int, outgoing: Outgoing, delivery_id: int | None
) -> None:
    """A delivery's later message (the digest's chart), once its first was accepted.

    Failing it must not fail the delivery, whose retry would send the first message again: it
    is retried in place as a reply is (transport.patiently), then left out with a log line."""
    try:
        await patiently(lambda: _send_one(bot, chat_id, outgoing), what="a later message")
    except TelegramError as exc:
        log.warning("delivery %s: a later message left out: %s", delivery_id, type(exc).__name__)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB warns that retry_after will become a timedelta; either form is handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
