"""What the sender does with Telegram's answers: 429, 403, 5xx, lost answers, and its pacing."""

from __future__ import annotations

import time as monotonic_time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, Schedule
from reflect_bot.delivery.sender import MAX_ATTEMPTS, RETRY_BACKOFF
from tests.integration.delivery_world import World, delivery_world

NINE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT) on a Monday


@pytest.fixture
async def world(migrated_url: str, encryption_key: str) -> AsyncIterator[World]:
    async with delivery_world(migrated_url, encryption_key, read_timeout=1.0) as w:
        yield w


async def _due_now(world: World, *users: int) -> None:
    for user in users:
        await world.clinician(user, "Europe/London", at=time(9, 0))
    world.clock.set(NINE)


async def test_429_pushes_that_prompt_back_by_retry_after_and_others_go_on(world: World) -> None:
    await _due_now(world, 1, 2, 3)
    world.emulator.fail_next("sendMessage", 429, retry_after=30)
    started = monotonic_time.monotonic()
    report = await world.tick()
    assert monotonic_time.monotonic() - started < 5, "nobody waited out the 30 seconds"
    assert (report.sending.deferred, report.sent) == (1, 2)
    (pushed,) = [
        r for r in await world.rows() if r.status == "pending" and r.local_date == NINE.date()
    ]
    assert pushed.due_at == NINE + timedelta(seconds=30)

    world.clock.advance(timedelta(seconds=29))
    assert (await world.tick()).sent == 0
    world.clock.advance(timedelta(seconds=1))
    assert (await world.tick()).sent == 1
    assert [len(world.prompts_to(user)) for user in (1, 2, 3)] == [1, 1, 1]


async def test_403_marks_the_clinician_unreachable_and_stops_their_schedules(world: World) -> None:
    await _due_now(world, 11, 12)
    world.emulator.block_chat(11, notify_bot=False)
    report = await world.tick()
    assert (report.sending.unreachable, report.sent) == (1, 1)
    async with transaction(world.services.sessions) as session:
        person = (
            await session.execute(select(Clinician).where(col(Clinician.telegram_user_id) == 11))
        ).scalar_one()
        plans = (
            await session.execute(select(Schedule).where(col(Schedule.clinician_id) == person.id))
        ).scalars()
        assert person.reachable is False
        assert [plan.active for plan in plans] == [False]

    world.emulator.unblock_chat(11, notify_bot=False)
    world.clock.advance(timedelta(days=1))
    report = await world.tick()
    assert report.sent == 1, "the other clinician still gets tomorrow's prompt"
    assert world.prompts_to(11) == [] and len(world.prompts_to(12)) == 2


async def test_5xx_is_retried_with_backoff_then_marked_failed(world: World) -> None:
    await _due_now(world, 21)
    world.emulator.fail_next("sendMessage", 500, count=MAX_ATTEMPTS)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = await world.tick()
        (row,) = [r for r in await world.rows() if r.local_date == NINE.date()]
        if attempt < MAX_ATTEMPTS:
            assert (report.sending.retried, row.status, row.attempts) == (1, "pending", attempt)
            backoff = RETRY_BACKOFF[attempt - 1]
            assert row.due_at == world.clock.now() + backoff
            world.clock.advance(backoff - timedelta(seconds=1))
            assert (await world.tick()).sending.retried == 0, "not before the backoff is over"
            world.clock.advance(timedelta(seconds=1))
    assert report.sending.failed == 1
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert world.prompts_to(21) == []


async def test_a_bad_gateway_once_is_retried_and_sent_once(world: World) -> None:
    await _due_now(world, 31)
    world.emulator.fail_next("sendMessage", 502)
    assert (await world.tick()).sending.retried == 1
    world.clock.advance(RETRY_BACKOFF[0])
    assert (await world.tick()).sent == 1
    assert len(world.prompts_to(31)) == 1


async def test_a_connection_dropped_before_telegram_acted_is_retried_and_sent_once(
    world: World,
) -> None:
    await _due_now(world, 41)
    world.emulator.drop_connection_next("sendMessage", when="before")
    assert (await world.tick()).sending.retried == 1
    world.clock.advance(RETRY_BACKOFF[0])
    assert (await world.tick()).sent == 1
    assert len(world.prompts_to(41)) == 1


async def test_a_timeout_is_retried(world: World) -> None:
    await _due_now(world, 42)
    world.emulator.delay("sendMessage", 1.5)  # longer than the bot's 1 s read timeout
    report = await world.tick()
    assert report.sending.retried == 1
    (row,) = [r for r in await world.rows() if r.local_date == NINE.date()]
    assert (row.status, row.last_error) == ("pending", "TimedOut")
    world.emulator.delay("sendMessage", 0)
    world.clock.advance(RETRY_BACKOFF[0])
    assert (await world.tick()).sent == 1


async def test_the_documented_duplicate_a_send_whose_answer_was_lost_is_sent_again(
    world: World,
) -> None:
    """At-least-once: Telegram delivered the prompt but its answer never arrived, so the
    sender cannot know and sends again. This is the only way a duplicate arises."""
    await _due_now(world, 43)
    world.emulator.drop_connection_next("sendMessage", when="after")
    assert (await world.tick()).sending.retried == 1
    world.clock.advance(RETRY_BACKOFF[0])
    assert (await world.tick()).sent == 1
    assert len(world.prompts_to(43)) == 2


async def test_sends_stay_under_the_rate_overall_and_one_per_second_per_chat(
    migrated_url: str, encryption_key: str
) -> None:
    async with delivery_world(
        migrated_url, encryption_key, send_rate_per_second=20, per_chat_interval=1.0
    ) as world:
        world.emulator.rate_limit = 20
        world.emulator.per_chat_rate_limit = 1
        users = list(range(50, 80))
        await _due_now(world, *users)
        # One clinician has a second prompt due at the same moment.
        await world.clinician(50, "Europe/London", at=time(9, 0), program_id="secure-base")
        world.clock.set(NINE)
        report = await world.tick()
        assert report.sent == len(users) + 1
        assert world.emulator.api_errors == [], "Telegram never had to say 429"
        times = sorted(m.sent_at for u in users for m in world.prompts_to(u))
        assert all(b - a >= 1.0 for a, b in zip(times, times[20:], strict=False)), "≤ 20 a second"
        first, second = (m.sent_at for m in world.prompts_to(50))
        assert second - first >= 1.0, "one message a second in one chat"
