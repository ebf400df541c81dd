"""A small world for delivery tests: a migrated database, the emulator, a PTB Bot pointed at it,
the bot's services on a FixedClock, and clinicians with schedules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from telegram import Bot

from reflect_bot import telegram_http
from reflect_bot.clock import FixedClock
from reflect_bot.config import get_settings
from reflect_bot.db.engine import transaction
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.db.models import Clinician, Delivery
from reflect_bot.db.repositories import schedules
from reflect_bot.delivery import planner
from reflect_bot.delivery.composers import delivery_composers
from reflect_bot.delivery.sender import Pacer, Sender
from reflect_bot.delivery.ticker import Ticker, TickReport
from reflect_bot.domain.scheduling import EVERY_DAY
from reflect_bot.emulator import BotAPIEmulator, MessageRecord
from reflect_bot.flows import planning
from reflect_bot.services import Services, build_services
from tests import factories
from tests.factories import add
from tests.shipped import catalog_of, recognisers_of

TOKEN = "123456:TEST-token"
CHECKIN = "post-session-checkin"


@dataclass
class World:
    emulator: BotAPIEmulator
    services: Services
    bot: Bot
    clock: FixedClock
    ticker: Ticker

    async def clinician(
        self,
        user_id: int,
        zone: str = "Europe/London",
        *,
        at: time = time(9, 0),
        weekdays: int = EVERY_DAY,
        program_id: str | None = CHECKIN,
        kind: str = "prompt",
    ) -> int:
        """A consented clinician with one schedule, planned as /schedule would; returns its id."""
        now = self.clock.now()
        self.emulator.private_chat(user_id, f"Clinician {user_id}", started=True)
        async with transaction(self.services.sessions) as session:
            person = (
                await session.execute(
                    select(Clinician).where(col(Clinician.telegram_user_id) == user_id)
                )
            ).scalar_one_or_none()
            if person is None:
                person = await add(
                    session,
                    factories.clinician(user=user_id, zone=zone, consented_at=now, created_at=now),
                )
            assert person.id is not None
            schedule = await schedules.add(
                session,
                clinician_id=person.id,
                kind=kind,
                program_id=program_id,
                weekdays=weekdays,
                local_time=at,
                now=now,
            )
            assert schedule.id is not None
            await planning.replan(
                session,
                rotation=planner.rotation_of(self.services),
                clinician_id=person.id,
                now=now,
                schedule_id=schedule.id,
            )
            return schedule.id

    async def tick(self, **kwargs: Any) -> TickReport:
        return await self.ticker.tick(**kwargs)

    def prompts_to(self, user_id: int) -> list[MessageRecord]:
        return [
            m for m in self.emulator.bot_messages(user_id) if m.text and "Time to reflect" in m.text
        ]

    async def rows(self) -> list[Delivery]:
        async with transaction(self.services.sessions) as session:
            result = await session.execute(select(Delivery).order_by(col(Delivery.id)))
            return list(result.scalars())


def settings_for(emulator: BotAPIEmulator, database_url: str, key: str, **extra: Any) -> Any:
    return get_settings(
        _env_file=None,
        bot_token=emulator.token,
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        database_url=database_url,
        encryption_keys=key,
        **extra,
    )


@asynccontextmanager
async def delivery_world(
    database_url: str,
    key: str,
    *,
    start: datetime = datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
    read_timeout: float = 5.0,
    per_chat_interval: float = 0.0,
    **settings: Any,
) -> AsyncIterator[World]:
    await asyncio.to_thread(upgrade_head, database_url)
    async with BotAPIEmulator(token=TOKEN) as emulator:
        config = settings_for(emulator, database_url, key, **settings)
        clock = FixedClock(start)
        services = build_services(
            config,
            clock=clock,
            catalog=catalog_of(config.prompts_dir),
            recognisers=recognisers_of(config.prompts_dir),
        )
        bot = telegram_http.bot(
            TOKEN,
            base_url=emulator.base_url,
            base_file_url=emulator.base_file_url,
            connection_pool_size=64,
            read_timeout=read_timeout,
        )
        try:
            async with bot:
                # The FixedClock jumps days in milliseconds of real time; Telegram's one message
                # per chat per second is real time, so tests that do not check it turn it off.
                pacer = Pacer(config.send_rate_per_second, per_chat_interval=per_chat_interval)
                composers = delivery_composers(bot_username=None)
                sender = Sender(services, bot, composers, pacer=pacer)
                yield World(
                    emulator=emulator,
                    services=services,
                    bot=bot,
                    clock=clock,
                    ticker=Ticker(sender),
                )
        finally:
            await services.engine.dispose()
