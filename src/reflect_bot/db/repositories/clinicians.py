"""Clinicians: who they are, their consent, time zone and what the bot awaits from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.models import Clinician


async def get_by_user(session: AsyncSession, *, telegram_user_id: int) -> Clinician | None:
    result = await session.execute(
        select(Clinician).where(Clinician.telegram_user_id == telegram_user_id)  # type: ignore[arg-type]
    )
    return result.scalar_one_or_none()


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
