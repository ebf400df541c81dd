"""Onboarding: consent, then a time zone (asked again with /timezone), then the starter plan.

The clinician passed in is the one the guard loaded for this update; the repository updates
that same object, so the rest of the update sees the new zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reflect_bot.catalog import Catalog
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import clinicians, schedules
from reflect_bot.flows.schedules import Sessions, follow_new_zone


@dataclass(frozen=True)
class ZoneSet:
    """The zone is stored (and, if it changed, pending prompts moved to it)."""

    zone: str
    now: datetime
    first_time: bool
    # A first zone and no schedules yet: offer the starter plan.
    offer_starter_plan: bool


async def consent(
    sessions: Sessions, clock: Clock, *, telegram_user_id: int, chat_id: int, display_name: str
) -> None:
    """Records consent (registering the clinician, or consenting again after /forget)."""
    async with transaction(sessions) as session:
        await clinicians.register(
            session,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            display_name=display_name,
            now=clock.now(),
        )


async def await_time_zone(sessions: Sessions, clock: Clock, *, clinician: Clinician) -> None:
    """The next text the clinician types is read as their time zone."""
    async with transaction(sessions) as session:
        await clinicians.set_awaiting(
            session, clinician=clinician, awaiting="timezone", now=clock.now()
        )


async def set_time_zone(
    sessions: Sessions, catalog: Catalog, clock: Clock, *, clinician: Clinician, zone: str
) -> ZoneSet:
    """Stores the zone; a changed zone moves pending prompts in the same transaction, before
    the clinician is told it is set."""
    now = clock.now()
    first_time = clinician.timezone is None
    offer = False
    async with transaction(sessions) as session:
        await clinicians.set_timezone(session, clinician=clinician, zone=zone, now=now)
        if clinician.id is not None:
            if not first_time:
                await follow_new_zone(session, catalog, clock, clinician_id=clinician.id)
            else:
                offer = not await schedules.list_for(session, clinician_id=clinician.id)
    return ZoneSet(zone=zone, now=now, first_time=first_time, offer_starter_plan=offer)
