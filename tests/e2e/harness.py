"""A real reflect-bot Application polling the local Bot API emulator, with a clinician's hands.

Tests speak as a clinician (say, press) and read what the bot sent (expect), all through
python-telegram-bot's real HTTP path.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reflect_bot.app import (
    ReflectApplication,
    build_application,
    start_application,
    stop_application,
)
from reflect_bot.catalog import Program, Step, StepKind
from reflect_bot.clock import FixedClock
from reflect_bot.config import Settings, get_settings
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.emulator import BotAPIEmulator
from reflect_bot.services import Services
from reflect_bot.transport import BACKOFF
from tests.shipped import catalog_of, recognisers_of

# A Monday morning in London, outside any daylight-saving change.
DEFAULT_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
USER = 1001
# transport.BACKOFF for tests that wait out every retry: as many tries, pauses of 10 ms.
QUICK_RETRIES = (0.01,) * len(BACKOFF)


def _own_mistake(description: str) -> bool:
    return any(
        sign in description
        for sign in ("can't parse entities", "too long", "BUTTON_DATA_INVALID", "text is empty")
    )


def test_settings(
    emulator: BotAPIEmulator, database_url: str, data_dir: Path, key: str, **extra: Any
) -> Settings:
    """Settings pointing the bot at the emulator and a test database; no .env is read."""
    return get_settings(
        _env_file=None,
        bot_token=emulator.token,
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        database_url=database_url,
        data_dir=data_dir,
        encryption_keys=key,
        **extra,
    )


@dataclass
class Harness:
    """The running bot, the emulator it talks to, and the clock it reads."""

    emulator: BotAPIEmulator
    app: ReflectApplication
    clock: FixedClock
    settings: Settings

    @property
    def services(self) -> Services:
        return self.app.bot_data.services

    async def say(self, text: str, *, user: int = USER) -> Any:
        """Sends text (or a command) as the clinician; returns their message."""
        return await self.emulator.send_text(user, text)

    async def expect(
        self, contains: str | None = None, *, user: int = USER, within: float = 5.0
    ) -> Any:
        """Waits for the bot's next message to this user (optionally containing some text)."""
        predicate = None if contains is None else (lambda m: contains in (m.text or ""))
        return await self.emulator.wait_for_bot_message(user, predicate=predicate, timeout=within)

    async def press(self, button_text: str, message: Any, *, user: int = USER) -> None:
        """Presses the inline button with this label on a bot message."""
        await self.emulator.press_button(
            user, message.message_id, message.callback_data(button_text)
        )

    async def press_for_answer(self, button_text: str, message: Any, *, user: int = USER) -> Any:
        """Presses a button and returns the bot's answerCallbackQuery (text shown, if any)."""
        query_id = await self.emulator.press_button(
            user, message.message_id, message.callback_data(button_text)
        )
        return await self.emulator.wait_for_callback_answer(query_id)

    async def answer_step(
        self,
        step: Step,
        question: Any,
        *,
        typed: bool = False,
        pick: str | None = None,
        user: int = USER,
    ) -> str | int:
        """Answers one reflection question by its kind (button, or typed with typed=True).

        Ratings get 4, choices the option `pick` (default: the first), text steps a sentence.
        Returns the answer as the catalog's conditions read it.
        """
        if step.kind is StepKind.RATING:
            await (self.say("4", user=user) if typed else self.press("4", question, user=user))
            return 4
        if step.kind is StepKind.CHOICE:
            option = step.option(pick) if pick else step.options[0]
            if typed:
                await self.say(option.label, user=user)
            else:
                await self.press(option.label, question, user=user)
            return option.id
        text = f"Thinking about {step.id.replace('_', ' ')}."
        await self.say(text, user=user)
        return text

    async def reflect_through(
        self,
        program: Program,
        first_question: Any,
        *,
        picks: dict[str, str] | None = None,
        typed: bool = False,
        user: int = USER,
    ) -> tuple[dict[str, str | int], Any]:
        """Answers every question of `program`, checking each is the step the catalog says
        comes next; returns the answers and the bot's thank-you message."""
        answers: dict[str, str | int] = {}
        message = first_question
        step = program.next_step(None, answers)
        while step is not None:
            assert step.question in message.text, f"expected {step.id!r}, got {message.text!r}"
            answers[step.id] = await self.answer_step(
                step, message, typed=typed, pick=(picks or {}).get(step.id), user=user
            )
            message = await self.expect(user=user)
            step = program.next_step(step.id, answers)
        assert "Thank you" in message.text, message.text
        return answers, message

    async def onboard(self, *, user: int = USER, zone: str = "Europe/London") -> None:
        """/start → consent → time zone, as a new clinician would."""
        await self.say("/start", user=user)
        notice = await self.expect("Welcome", user=user)
        await self.press(notice.button_texts[0], notice, user=user)
        await self.expect("Which time zone", user=user)
        await self.say(zone, user=user)
        await self.expect("You're all set", user=user)
        # The starter plan offer follows; waiting for it keeps the next expect() in order.
        await self.expect("starter plan", user=user)

    async def tick(self) -> Any:
        """One scheduler tick at the harness clock's time (plan, close stale, send due), by
        the bot's own ticker, as its repeating job would."""
        return await self.app.bot_data.ticker.tick()

    async def expect_edit(self, message: Any, *, user: int = USER, within: float = 5.0) -> Any:
        """Waits for the bot to edit this message (its text or buttons); returns it as edited."""
        return await self.emulator.wait_for_edit(user, message.message_id, timeout=within)


async def start_bot(app: ReflectApplication) -> None:
    """What run_polling does, minus the signal handling: start, then poll."""
    await start_application(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)


@asynccontextmanager
async def running_bot(
    *,
    database_url: str,
    data_dir: Path,
    key: str,
    start: datetime = DEFAULT_START,
    emulator: BotAPIEmulator | None = None,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """Starts the emulator (unless given) and the bot. A SQLite database is migrated here, as
    `reflect-bot run` does; a PostgreSQL one must come migrated, as an operator's does."""
    async with _emulator(emulator) as emu:
        config = test_settings(emu, database_url, data_dir, key, **settings)
        if config.is_sqlite:
            # Alembic's env.py runs its own event loop, so it runs in a thread here.
            await asyncio.to_thread(upgrade_head, database_url)
        clock = FixedClock(start)
        app = build_application(
            config,
            clock=clock,
            catalog=catalog_of(config.prompts_dir),
            recognisers=recognisers_of(config.prompts_dir),
        )
        try:
            await start_bot(app)  # inside: a start that fails part-way is undone too
            yield Harness(emulator=emu, app=app, clock=clock, settings=config)
        finally:
            await stop_application(app)
        refused = [e for e in emu.api_errors if e.status == 400 and _own_mistake(e.description)]
        assert not refused, f"Telegram would have refused what the bot sent: {refused}"


@asynccontextmanager
async def _emulator(given: BotAPIEmulator | None) -> AsyncIterator[BotAPIEmulator]:
    if given is not None:
        yield given
        return
    async with BotAPIEmulator(token="123456:TEST-token", bot_username="reflect_test_bot") as emu:
        yield emu
