"""Portfolio: the clinician's profile, the CPD activities they log, and the options they
picked for their profile's choices about a reflection."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import Clinician, CpdActivity, EvidenceChoice, Reflection
from reflect_bot.domain.cpd import LoggedActivity
from reflect_bot.domain.portfolio import parse_picks

__all__ = [
    "activities",
    "add_activity",
    "mark_profile_asked",
    "own_reflection",
    "pick",
    "picks_for",
    "set_profile",
]


async def set_profile(
    session: AsyncSession, *, clinician: Clinician, profile_id: str | None, now: datetime
) -> None:
    """Chooses (or clears, with None) the clinician's profile; they have been asked now."""
    clinician.portfolio_profile = profile_id
    clinician.profile_asked = True
    clinician.updated_at = now
    session.add(clinician)
    await session.flush()


async def mark_profile_asked(session: AsyncSession, *, clinician: Clinician, now: datetime) -> None:
    clinician.profile_asked = True
    clinician.updated_at = now
    session.add(clinician)
    await session.flush()


async def add_activity(
    session: AsyncSession,
    *,
    clinician_id: int,
    kind: str,
    title: str,
    minutes: int,
    done_on: date,
    now: datetime,
) -> LoggedActivity:
    row = CpdActivity(
        clinician_id=clinician_id,
        kind=kind,
        title=title,
        minutes=minutes,
        done_on=done_on,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    return LoggedActivity(row.id, row.kind, row.title, row.minutes, row.done_on)


async def activities(
    session: AsyncSession,
    *,
    clinician_id: int,
    since: date | None = None,
    until: date | None = None,
) -> list[LoggedActivity]:
    """The clinician's logged activities between two local dates (both included), by date."""
    query = select(CpdActivity).where(col(CpdActivity.clinician_id) == clinician_id)
    if since is not None:
        query = query.where(col(CpdActivity.done_on) >= since)
    if until is not None:
        query = query.where(col(CpdActivity.done_on) <= until)
    rows = await session.execute(query.order_by(col(CpdActivity.done_on), col(CpdActivity.id)))
    return [
        LoggedActivity(row.id or 0, row.kind, row.title, row.minutes, row.done_on)
        for row in rows.scalars()
    ]


async def picks_for(
    session: AsyncSession, *, clinician_id: int, profile_id: str, reflection_ids: Collection[int]
) -> dict[int, dict[str, tuple[str, ...]]]:
    """Per reflection of this clinician, the option ids picked for each choice of a profile."""
    if not reflection_ids:
        return {}
    rows = await session.execute(
        select(EvidenceChoice)
        .join(Reflection, col(EvidenceChoice.reflection_id) == col(Reflection.id))
        .where(
            col(Reflection.clinician_id) == clinician_id,
            col(EvidenceChoice.profile_id) == profile_id,
            col(EvidenceChoice.reflection_id).in_(list(reflection_ids)),
        )
    )
    found: dict[int, dict[str, tuple[str, ...]]] = {}
    for row in rows.scalars():
        found.setdefault(row.reflection_id, {})[row.choice_id] = parse_picks(row.options)
    return found


async def pick(
    session: AsyncSession,
    *,
    reflection_id: int,
    profile_id: str,
    choice_id: str,
    options: Collection[str],
    now: datetime,
) -> None:
    """Stores the options picked for one choice about one reflection (replacing earlier ones)."""
    await session.execute(
        delete(EvidenceChoice).where(
            col(EvidenceChoice.reflection_id) == reflection_id,
            col(EvidenceChoice.profile_id) == profile_id,
            col(EvidenceChoice.choice_id) == choice_id,
        )
    )
    session.add(
        EvidenceChoice(
            reflection_id=reflection_id,
            profile_id=profile_id,
            choice_id=choice_id,
            options=",".join(options),
            chosen_at=now,
        )
    )
    await session.flush()


async def own_reflection(
    session: AsyncSession, *, reflection_id: int, clinician_id: int
) -> Reflection | None:
    """The reflection, if it is this clinician's."""
    result = await session.execute(
        select(Reflection).where(
            col(Reflection.id) == reflection_id, col(Reflection.clinician_id) == clinician_id
        )
    )
    return result.scalar_one_or_none()
