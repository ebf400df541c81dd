"""Rows as the bot would have written them, for tests that fill a database directly.

Each factory returns an unsaved row with everything the test does not care about filled in;
its keyword-only arguments name what a test may care about. `add` saves a row and returns it
with its id. Tests that must go through the bot's own write path use the repositories (as
tests/integration/journal_seed.py does) instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from reflect_bot.db.models import Answer, Clinician, Delivery, Reflection, Schedule

# A Monday morning in London, outside any daylight-saving change.
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHECKIN = "post-session-checkin"

Row = TypeVar("Row", bound=SQLModel)


async def add(session: AsyncSession, row: Row) -> Row:
    """Saves the row in the session's transaction; its id (if it has one) is set."""
    session.add(row)
    await session.flush()
    return row


def clinician(
    *,
    user: int = 1001,
    name: str | None = None,
    zone: str | None = "Europe/London",
    consented_at: datetime | None = NOW,
    created_at: datetime = NOW,
) -> Clinician:
    """A clinician in a private chat with the bot (the chat's id is the user's id)."""
    return Clinician(
        telegram_user_id=user,
        chat_id=user,
        display_name=name,
        consented_at=consented_at,
        timezone=zone,
        created_at=created_at,
        updated_at=created_at,
    )


def schedule(
    *,
    clinician_id: int,
    kind: str = "prompt",
    program_id: str | None = None,
    local_time: time = time(9),
    created_at: datetime = NOW,
) -> Schedule:
    """A schedule on the model's default weekdays (Monday to Friday)."""
    return Schedule(
        clinician_id=clinician_id,
        kind=kind,
        program_id=program_id,
        local_time=local_time,
        created_at=created_at,
        updated_at=created_at,
    )


def delivery(
    *,
    clinician_id: int,
    schedule_id: int,
    due_at: datetime = NOW,
    local_date: date | None = None,
    kind: str = "prompt",
    status: str = "pending",
    sent_at: datetime | None = None,
    created_at: datetime = NOW,
) -> Delivery:
    """One planned send; its local date is the due date unless given."""
    return Delivery(
        clinician_id=clinician_id,
        schedule_id=schedule_id,
        local_date=local_date or due_at.date(),
        kind=kind,
        due_at=due_at,
        status=status,
        sent_at=sent_at,
        created_at=created_at,
    )


def reflection(
    *,
    clinician_id: int,
    program_id: str = CHECKIN,
    program_title: str | None = None,
    status: str = "in_progress",
    started_at: datetime = NOW,
    last_activity_at: datetime | None = None,
    finished_at: datetime | None = None,
    seconds_spent: int = 0,
    delivery_id: int | None = None,
) -> Reflection:
    """A run through a program; last active when it finished, or else when it started."""
    return Reflection(
        clinician_id=clinician_id,
        program_id=program_id,
        program_title=program_title or program_id.replace("-", " ").capitalize(),
        status=status,
        started_at=started_at,
        last_activity_at=last_activity_at or finished_at or started_at,
        finished_at=finished_at,
        seconds_spent=seconds_spent,
        delivery_id=delivery_id,
    )


def answer(
    *,
    reflection_id: int,
    step_id: str,
    position: int = 1,
    question: str | None = None,
    text: str | None = None,
    rating: int | None = None,
    choice: str | None = None,
    choice_label: str | None = None,
    answered_at: datetime = NOW,
) -> Answer:
    """An answer whose kind follows from the value given: text, rating, choice or skipped."""
    if text is not None:
        kind = "text"
    elif rating is not None:
        kind = "rating"
    elif choice is not None:
        kind = "choice"
    else:
        kind = "skipped"
    return Answer(
        reflection_id=reflection_id,
        step_id=step_id,
        position=position,
        question=question or f"{step_id}?",
        kind=kind,
        text=text,
        rating=rating,
        choice=choice,
        choice_label=choice_label,
        answered_at=answered_at,
    )
