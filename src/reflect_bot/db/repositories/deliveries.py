"""Delivery rows: planned with insert-or-ignore, claimed with a lease, then closed.

Statuses: pending → claimed → sent | missed | skipped | failed. A 429 or a retryable error
puts a claimed row back to pending with a later due time. See delivery/sender.py.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import Delivery, Reflection
from reflect_bot.db.statements import insert_or_ignore, rowcount

PENDING, CLAIMED, SENT, MISSED, SKIPPED, FAILED = (
    "pending",
    "claimed",
    "sent",
    "missed",
    "skipped",
    "failed",
)
# Rows per INSERT statement: well under SQLite's and PostgreSQL's bound-parameter limits.
INSERT_CHUNK = 500
# The key that makes planning idempotent: one delivery per clinician, schedule and local date.
DELIVERY_KEY = ["clinician_id", "schedule_id", "local_date"]
ERROR_LENGTH = 200


@dataclass(frozen=True)
class PlannedDelivery:
    clinician_id: int
    schedule_id: int
    local_date: date
    kind: str
    program_id: str | None
    due_at: datetime


def _no_sync() -> dict[str, Any]:
    # Bulk UPDATEs here never need to refresh objects already in the session.
    return {"synchronize_session": False}


async def insert_planned(
    session: AsyncSession, *, planned: Sequence[PlannedDelivery], now: datetime
) -> int:
    """Inserts the rows that do not exist yet; returns how many were new.

    The UNIQUE (clinician, schedule, local date) key makes planning idempotent: planning the
    same day twice, from one process or two, leaves one row.
    """
    created = 0
    for start in range(0, len(planned), INSERT_CHUNK):
        values = [
            {
                "clinician_id": p.clinician_id,
                "schedule_id": p.schedule_id,
                "local_date": p.local_date,
                "kind": p.kind,
                "program_id": p.program_id,
                "due_at": p.due_at,
                "status": PENDING,
                "attempts": 0,
                "created_at": now,
            }
            for p in planned[start : start + INSERT_CHUNK]
        ]
        result = await session.execute(
            insert_or_ignore(session, Delivery, conflict=DELIVERY_KEY)
            .values(values)
            .returning(col(Delivery.id))
        )
        created += len(result.all())
    return created


async def delete_pending_from(
    session: AsyncSession, *, clinician_id: int, since: datetime, schedule_id: int | None = None
) -> int:
    """Forgets pending rows due at or after a moment, so they can be planned afresh."""
    conditions = [
        col(Delivery.clinician_id) == clinician_id,
        col(Delivery.status) == PENDING,
        col(Delivery.due_at) >= since,
    ]
    if schedule_id is not None:
        conditions.append(col(Delivery.schedule_id) == schedule_id)
    result = await session.execute(
        delete(Delivery).where(*conditions).execution_options(**_no_sync())
    )
    return rowcount(result)


def _claimable(now: datetime, not_before: datetime) -> Any:
    return and_(
        or_(
            and_(col(Delivery.status) == PENDING, col(Delivery.due_at) <= now),
            # A claim whose lease ran out: its process died before recording the outcome.
            and_(col(Delivery.status) == CLAIMED, col(Delivery.lease_until) < now),
        ),
        col(Delivery.due_at) >= not_before,
    )


async def mark_missed(session: AsyncSession, *, before: datetime, now: datetime) -> int:
    """Rows due before the lateness window that were never sent are recorded as missed."""
    result = await session.execute(
        update(Delivery)
        .where(
            or_(
                col(Delivery.status) == PENDING,
                and_(col(Delivery.status) == CLAIMED, col(Delivery.lease_until) < now),
            ),
            col(Delivery.due_at) < before,
        )
        .values(status=MISSED, lease_until=None)
        .execution_options(**_no_sync())
    )
    return rowcount(result)


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    not_before: datetime,
    worker: str,
    lease_until: datetime,
    limit: int,
) -> list[Delivery]:
    """Claims up to `limit` due rows for this worker, oldest first.

    PostgreSQL: ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``, so
    concurrent claimers take disjoint rows. SQLite has no row locks (SQLAlchemy drops the
    FOR UPDATE); its single writer makes the one statement atomic within one process.
    """
    due = (
        select(col(Delivery.id))
        .where(_claimable(now, not_before))
        .order_by(col(Delivery.due_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Delivery)
        .where(col(Delivery.id).in_(due.scalar_subquery()))
        .values(status=CLAIMED, lease_until=lease_until, claimed_by=worker)
        .returning(Delivery)
        .execution_options(**_no_sync())
    )
    result = await session.execute(statement)
    rows = list(result.scalars())
    rows.sort(key=lambda d: (d.due_at, d.id or 0))
    return rows


def _mine(delivery_id: int, worker: str) -> Any:
    # Only the holder of the claim may close it: a lease that ran out may have passed on.
    return and_(
        col(Delivery.id) == delivery_id,
        col(Delivery.status) == CLAIMED,
        col(Delivery.claimed_by) == worker,
    )


async def mark_sent_many(
    session: AsyncSession, *, marks: Sequence[dict[str, Any]], worker: str
) -> None:
    """Marks many claimed rows sent in one statement (executemany).

    Each mark holds ``b_id``, ``b_message_id`` and ``b_sent_at``.
    """
    if not marks:
        return
    table = Delivery.metadata.tables["delivery"]
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.status == CLAIMED,
            table.c.claimed_by == worker,
        )
        .values(
            status=SENT,
            sent_at=bindparam("b_sent_at"),
            telegram_message_id=bindparam("b_message_id"),
            lease_until=None,
            last_error=None,
        )
    )
    await session.execute(statement, list(marks))


async def release(
    session: AsyncSession,
    *,
    delivery_id: int,
    worker: str,
    due_at: datetime,
    attempts: int | None = None,
    error: str | None = None,
) -> bool:
    """Puts a claimed row back to pending, due again at `due_at` (a 429 or a retry)."""
    values = {"status": PENDING, "due_at": due_at, "claimed_by": None}
    return await _end_claim(session, delivery_id, worker, values, attempts, error)


async def close(
    session: AsyncSession,
    *,
    delivery_id: int,
    worker: str,
    status: str,
    error: str | None = None,
    attempts: int | None = None,
) -> bool:
    """Ends a claimed row as skipped, failed or missed, with a short reason (no content)."""
    return await _end_claim(session, delivery_id, worker, {"status": status}, attempts, error)


async def _end_claim(
    session: AsyncSession,
    delivery_id: int,
    worker: str,
    values: dict[str, Any],
    attempts: int | None,
    error: str | None,
) -> bool:
    """Ends this worker's claim on a row with these values; False if the claim had passed on."""
    values = {**values, "lease_until": None}
    if attempts is not None:
        values["attempts"] = attempts
    if error is not None:
        values["last_error"] = error[:ERROR_LENGTH]
    result = await session.execute(
        update(Delivery)
        .where(_mine(delivery_id, worker))
        .values(**values)
        .execution_options(**_no_sync())
    )
    return rowcount(result) > 0


async def next_due(session: AsyncSession, *, not_before: datetime) -> datetime | None:
    """The earliest due time among pending rows still inside the lateness window."""
    result = await session.execute(
        select(func.min(col(Delivery.due_at))).where(
            col(Delivery.status) == PENDING,
            col(Delivery.due_at) >= not_before,
        )
    )
    value: datetime | None = result.scalar_one_or_none()  # min() keeps the UTC column type
    return value


async def get_owned(
    session: AsyncSession, *, delivery_id: int, clinician_id: int
) -> Delivery | None:
    delivery = await session.get(Delivery, delivery_id)
    if delivery is None or delivery.clinician_id != clinician_id:
        return None
    return delivery


async def snooze(session: AsyncSession, *, delivery: Delivery, due_at: datetime) -> bool:
    """Sends a sent prompt again later (the clinician asked to be reminded)."""
    result = await session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery.id, col(Delivery.status).in_([SENT, PENDING]))
        .values(status=PENDING, due_at=due_at, lease_until=None, claimed_by=None, attempts=0)
        .execution_options(**_no_sync())
    )
    return rowcount(result) > 0


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    """How many rows are in each status (for operators and tests)."""
    result = await session.execute(
        select(col(Delivery.status), func.count()).group_by(col(Delivery.status))
    )
    return {status: int(count) for status, count in result.all()}


async def program_completed_between(
    session: AsyncSession, *, clinician_id: int, program_id: str, start: datetime, end: datetime
) -> bool:
    """Whether the clinician completed this program in [start, end) (a prompt is then skipped)."""
    result = await session.execute(
        select(col(Reflection.id))
        .where(
            col(Reflection.clinician_id) == clinician_id,
            col(Reflection.program_id) == program_id,
            col(Reflection.status) == "completed",
            col(Reflection.finished_at) >= start,
            col(Reflection.finished_at) < end,
        )
        .limit(1)
    )
    return result.first() is not None


async def completions_since(
    session: AsyncSession, *, clinician_ids: Collection[int], since: datetime
) -> list[tuple[int, str, datetime]]:
    """(clinician, program, finished at) of reflections completed since a moment."""
    if not clinician_ids:
        return []
    result = await session.execute(
        select(
            col(Reflection.clinician_id), col(Reflection.program_id), col(Reflection.finished_at)
        ).where(
            col(Reflection.clinician_id).in_(clinician_ids),
            col(Reflection.status) == "completed",
            col(Reflection.finished_at) >= since,
        )
    )
    return [(cid, pid, at) for cid, pid, at in result.all() if at is not None]
