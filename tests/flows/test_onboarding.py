"""Onboarding use cases, without Telegram: consent, a first time zone, a changed one.

A changed zone moves the pending prompts before the flow returns, that is before the
clinician is told the new zone is set. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Delivery
from reflect_bot.db.repositories import clinicians
from reflect_bot.domain import scheduling
from reflect_bot.domain.timezones import resolve
from reflect_bot.flows import onboarding
from reflect_bot.flows import schedules as schedule_flows

Sessions = async_sessionmaker[AsyncSession]
MONDAY = date(2026, 11, 2)
USER = 42


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # a Monday morning


async def _consented(sessions: Sessions, clock: FixedClock) -> Clinician:
    await onboarding.consent(
        sessions, clock, telegram_user_id=USER, chat_id=USER, display_name="Dr X"
    )
    async with transaction(sessions) as session:
        found = await clinicians.get_by_user(session, telegram_user_id=USER)
    assert found is not None and found.id is not None
    return found


async def _stored(sessions: Sessions, clinician_id: int) -> Clinician:
    async with transaction(sessions) as session:
        found = await session.get(Clinician, clinician_id)
    assert found is not None
    return found


async def test_consent_registers_the_clinician_and_awaits_their_time_zone(
    sessions: Sessions, clock: FixedClock
) -> None:
    clinician = await _consented(sessions, clock)

    assert clinician.consented_at == clock.now()
    assert (clinician.chat_id, clinician.timezone, clinician.awaiting) == (USER, None, "timezone")


async def test_a_first_time_zone_is_stored_and_the_starter_plan_offered(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    clinician = await _consented(sessions, clock)

    saved = await onboarding.set_time_zone(
        sessions, catalog, clock, clinician=clinician, zone="Europe/Berlin"
    )

    assert saved == onboarding.ZoneSet(
        zone="Europe/Berlin", now=clock.now(), first_time=True, offer_starter_plan=True
    )
    assert clinician.timezone == "Europe/Berlin"  # the update's clinician sees it too
    assert clinician.id is not None
    stored = await _stored(sessions, clinician.id)
    assert (stored.timezone, stored.awaiting) == ("Europe/Berlin", None)


async def test_asking_again_awaits_a_typed_zone_and_a_new_zone_offers_no_plan(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    clinician = await _consented(sessions, clock)
    await onboarding.set_time_zone(sessions, catalog, clock, clinician=clinician, zone="UTC")
    assert clinician.id is not None

    await onboarding.await_time_zone(sessions, clock, clinician=clinician)
    assert (await _stored(sessions, clinician.id)).awaiting == "timezone"
    saved = await onboarding.set_time_zone(
        sessions, catalog, clock, clinician=clinician, zone="Asia/Tokyo"
    )

    assert (saved.first_time, saved.offer_starter_plan) == (False, False)
    assert (await _stored(sessions, clinician.id)).awaiting is None


async def test_a_changed_zone_moves_pending_prompts_before_the_clinician_is_told(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    clinician = await _consented(sessions, clock)
    await onboarding.set_time_zone(
        sessions, catalog, clock, clinician=clinician, zone="Europe/London"
    )
    assert clinician.id is not None
    await schedule_flows.adopt_starter_plan(sessions, catalog, clock, clinician_id=clinician.id)

    await onboarding.set_time_zone(
        sessions, catalog, clock, clinician=clinician, zone="America/New_York"
    )

    async with transaction(sessions) as session:
        rows = await session.execute(
            select(Delivery).where(
                col(Delivery.clinician_id) == clinician.id,
                col(Delivery.status) == "pending",
                col(Delivery.local_date) == MONDAY,
            )
        )
        today = list(rows.scalars())
    # The check-in at 18:00 on weekdays, now 18:00 in New York (23:00 UTC), not London's.
    new_york = scheduling.due_moment(MONDAY, time(18, 0), resolve("America/New_York"))
    assert [(d.program_id, d.due_at) for d in today] == [("post-session-checkin", new_york)]
