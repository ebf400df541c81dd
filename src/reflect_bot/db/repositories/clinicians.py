"""Clinicians: who they are, their consent, time zone and what the bot awaits from them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, and_, bindparam, exists, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import Answer, Clinician, Invite, Reflection
from reflect_bot.db.repositories.reflections import Seen, given_in_order
from reflect_bot.db.statements import table_of
from reflect_bot.domain.journaling import ReflectionStatus


async def get_by_user(session: AsyncSession, *, telegram_user_id: int) -> Clinician | None:
    result = await session.execute(
        select(Clinician).where(col(Clinician.telegram_user_id) == telegram_user_id)
    )
    return result.scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class Admission:
    """What the guard needs to know about the person behind an update."""

    clinician: Clinician | None
    seen: Seen  # their reflection in progress (if any) and its answers so far
    invites_exist: bool  # the deployment is invite-only
    redeemed: bool  # they came in with an invite


# Every update runs these: built once (see reflections.py's statements on why).
_INVITES_EXIST = select(exists().select_from(Invite)).scalar_subquery()
_REDEEMED = select(
    exists().where(col(Invite.redeemed_by) == bindparam("telegram_user_id"))
).scalar_subquery()
_INVITE_FLAGS = select(_INVITES_EXIST, _REDEEMED)


@functools.cache
def _admission(dialect: str) -> Any:
    """The clinician, their open reflection, its answers so far and the invite facts.

    The answers (what the flow needs to decide the next step, nothing encrypted) come as one
    JSON array of [position, id, step_id, kind, rating, choice] rows, aggregated in a
    subquery by each database's own JSON functions, so that an answer costs no query of its
    own for them (one round trip less per answer).
    """
    answers = table_of(Answer)
    row = (func.json_build_array if dialect == "postgresql" else func.json_array)(
        answers.c.position,
        answers.c.id,
        answers.c.step_id,
        answers.c.kind,
        answers.c.rating,
        answers.c.choice,
    )
    aggregate = func.json_agg(row) if dialect == "postgresql" else func.json_group_array(row)
    given = (
        select(type_coerce(aggregate, JSON))
        .where(answers.c.reflection_id == col(Reflection.id))
        .scalar_subquery()
    )
    return (
        select(Clinician, Reflection, _INVITES_EXIST, _REDEEMED, given)
        .outerjoin(
            Reflection,
            and_(
                col(Reflection.clinician_id) == col(Clinician.id),
                col(Reflection.status) == ReflectionStatus.IN_PROGRESS.value,
            ),
        )
        .where(col(Clinician.telegram_user_id) == bindparam("telegram_user_id"))
    )


async def admission(session: AsyncSession, *, telegram_user_id: int) -> Admission:
    """The clinician, their open reflection and its answers, and the invite facts, in one
    query.

    Every update asks this first, so it is one round trip for a known clinician (a second
    one only for somebody not seen before).
    """
    who = {"telegram_user_id": telegram_user_id}
    statement = _admission(session.get_bind().dialect.name)
    row = (await session.execute(statement, who)).one_or_none()
    if row is None:
        flags = (await session.execute(_INVITE_FLAGS, who)).one()
        return Admission(None, Seen(None), bool(flags[0]), bool(flags[1]))
    clinician, reflection, invites_exist, has_redeemed, given = row
    seen = Seen(reflection, given_in_order(given) if reflection is not None else ())
    return Admission(clinician, seen, bool(invites_exist), bool(has_redeemed))


async def register(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    display_name: str | None,
    now: datetime,
) -> Clinician:
    """Creates the clinician at consent (or renews consent), ready to be asked their zone."""
    clinician = await get_by_user(session, telegram_user_id=telegram_user_id)
    if clinician is None:
        clinician = Clinician(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            display_name=display_name,
            created_at=now,
            updated_at=now,
        )
        session.add(clinician)
    clinician.consented_at = now
    clinician.chat_id = chat_id
    clinician.awaiting = "timezone" if clinician.timezone is None else clinician.awaiting
    clinician.updated_at = now
    await session.flush()
    return clinician


async def set_timezone(
    session: AsyncSession, *, clinician: Clinician, zone: str, now: datetime
) -> None:
    clinician.timezone = zone
    if clinician.awaiting == "timezone":
        clinician.awaiting = None
    clinician.updated_at = now
    session.add(clinician)
    await session.flush()


async def set_awaiting(
    session: AsyncSession, *, clinician: Clinician, awaiting: str | None, now: datetime
) -> None:
    clinician.awaiting = awaiting
    clinician.updated_at = now
    session.add(clinician)
    await session.flush()
