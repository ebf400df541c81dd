"""Scheduled digests through the sender: a batch of them loads its weeks at once, and a week's
digest is claimed once even when two processes compose it at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Delivery, Digest
from reflect_bot.delivery.digest_composer import KIND, digest_composer
from reflect_bot.delivery.outgoing import Outgoing
from reflect_bot.delivery.sender import Sender
from reflect_bot.delivery.ticker import Ticker
from reflect_bot.domain.scheduling import mask_of
from reflect_bot.services import Services
from tests import factories
from tests.integration.delivery_world import World, delivery_world

SUNDAY_EVENING = datetime(2026, 11, 8, 18, 0, tzinfo=UTC)  # 18:00 in London
compose_digest = digest_composer(bot_username=None)


@pytest.fixture
async def world(migrated_url: str, encryption_key: str) -> AsyncIterator[World]:
    async with delivery_world(migrated_url, encryption_key) as created:
        yield created


async def digest_reader(world: World, user_id: int) -> int:
    """A clinician with a Sunday 18:00 digest and one completed reflection this week."""
    await world.clinician(
        user_id, kind="digest", program_id=None, weekdays=mask_of([6]), at=time(18)
    )
    async with transaction(world.services.sessions) as session:
        clinician_id = (
            await session.execute(
                select(col(Clinician.id)).where(col(Clinician.telegram_user_id) == user_id)
            )
        ).scalar_one()
        assert clinician_id is not None
        finished = datetime(2026, 11, 4, 12, tzinfo=UTC)
        session.add(
            factories.reflection(
                clinician_id=clinician_id,
                program_id="secure-base",
                status="completed",
                started_at=finished - timedelta(minutes=5),
                finished_at=finished,
                seconds_spent=300,
            )
        )
    return int(clinician_id)


async def test_a_batch_of_digests_loads_its_weeks_once(world: World) -> None:
    """Six digests due together: one claim each, and one load for all of them."""
    readers = [await digest_reader(world, 2000 + n) for n in range(6)]
    statements: list[str] = []
    composing = False

    async def counted(
        session: AsyncSession,
        services: Services,
        clinician: Clinician,
        delivery: Delivery,
        *,
        batch: Sequence[Delivery],
    ) -> list[Outgoing] | None:
        nonlocal composing
        composing = True
        try:
            return await compose_digest(session, services, clinician, delivery, batch=batch)
        finally:
            composing = False

    def count(*_args: Any) -> None:
        if composing:
            statements.append(str(_args[2]))

    sender = Sender(world.services, world.bot, {KIND: counted}, pacer=world.ticker.sender.pacer)
    event.listen(world.services.engine.sync_engine, "before_cursor_execute", count)
    try:
        world.clock.set(SUNDAY_EVENING)
        report = await Ticker(sender).tick()
    finally:
        event.remove(world.services.engine.sync_engine, "before_cursor_execute", count)

    assert report.sent == len(readers)
    for n in range(6):
        digest = world.emulator.last_bot_message(2000 + n)
        assert digest.text is not None
        assert "Your week in reflection" in digest.text and "Secure base" in digest.text
    claims = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO DIGEST")]
    assert len(claims) == len(readers)
    # The rest is one look-up of the batch's zones, the loader's seven queries, one for the
    # batch's alliance trends and one for its learning goals.
    assert len(statements) - len(claims) == 10


async def test_two_processes_composing_one_week_send_one_digest(world: World) -> None:
    """Saturday's and Sunday's digest of the same week, composed at once (as two processes
    would): one claims the week, the other is skipped."""
    world.clock.set(datetime(2026, 11, 7, 12, 0, tzinfo=UTC))  # Saturday: both are planned
    reader = await digest_reader(world, 3000)
    await world.clinician(3000, kind="digest", program_id=None, weekdays=mask_of([5]), at=time(18))
    async with transaction(world.services.sessions) as session:
        rows = list(
            (
                await session.execute(
                    select(Delivery).where(
                        col(Delivery.clinician_id) == reader, col(Delivery.kind) == "digest"
                    )
                )
            ).scalars()
        )
        clinician = await session.get(Clinician, reader)
    saturday, sunday = sorted(rows, key=lambda r: r.local_date)
    assert clinician is not None

    async def compose(delivery: Delivery) -> list[Outgoing] | None:
        async with world.services.sessions() as session:
            return await compose_digest(
                session, world.services, clinician, delivery, batch=[delivery]
            )

    outcomes = await asyncio.gather(compose(saturday), compose(sunday))
    assert sorted(outcome is None for outcome in outcomes) == [False, True]
    async with world.services.sessions() as session:
        claims = list((await session.execute(select(Digest))).scalars())
    assert len(claims) == 1 and claims[0].week_start.isoformat() == "2026-11-02"
