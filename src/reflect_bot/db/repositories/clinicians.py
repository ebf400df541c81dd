"""Clinicians: who they are, their consent, time zone and what the bot awaits from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import Clinician, Invite, Reflection
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
    open_reflection: Reflection | None  # their reflection in progress, if any
    invites_exist: bool  # the deployment is invite-only
    redeemed: bool  # they came in with an invite


# Every update runs these: built once (see reflections.py's statements on why).
_INVITES_EXIST = select(exists().select_from(Invite)).scalar_subquery()
_REDEEMED = select(
    exists().where(col(Invite.redeemed_by) == bindparam("telegram_user_id"))
).scalar_subquery()
_ADMISSION = (
    select(Clinician, Reflection, _INVITES_EXIST, _REDEEMED)
    .outerjoin(
        Reflection,
        and_(
            col(Reflection.clinician_id) == col(Clinician.id),
            col(Reflection.status) == ReflectionStatus.IN_PROGRESS.value,
        ),
    )
    .where(col(Clinician.telegram_user_id) == bindparam("telegram_user_id"))
)
_INVITE_FLAGS = select(_INVITES_EXIST, _REDEEMED)


async def admission(session: AsyncSession, *, telegram_user_id: int) -> Admission:
    """The clinician, their open reflection and the invite facts, in one query.

    Every update asks this first, so it is one round trip for a known clinician (a second
    one only for somebody not seen before).
    """
    who = {"telegram_user_id": telegram_user_id}
    row = (await session.execute(_ADMISSION, who)).one_or_none()
    if row is None:
        flags = (await session.execute(_INVITE_FLAGS, who)).one()
        return Admission(None, None, bool(flags[0]), bool(flags[1]))
    clinician, reflection, invites_exist, has_redeemed = row
    return Admission(clinician, reflection, bool(invites_exist), bool(has_redeemed))


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
