"""kill -9 at random points of a scripted week: after every restart the journal holds every
answer the bot acknowledged, and at the end no prompt was sent twice.

The bot runs as operators run it (`python -m reflect_bot run`, SQLite file) against the
emulator in this process. Its clock is the real one moved forward by a small start-up hook
(tests/e2e/clockshift), so the week's evenings come one after another within a minute.

The clinician is scripted like a person: they act on the bot's latest message, and when a
reply does not come, they do what a person would — press again, type again, or send
/checkin and carry on.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from reflect_bot.catalog import Catalog, Program, StepKind, load_catalog
from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.db.models import Answer, Reflection
from reflect_bot.emulator import BotAPIEmulator, MessageRecord
from reflect_bot.ui import texts
from tests.shipped import CHECKIN_PROGRAM_ID

pytestmark = pytest.mark.slow

USER = 1001
ROOT = Path(__file__).resolve().parents[2]
SHIM = Path(__file__).resolve().parent / "clockshift"
MONDAY = date(2026, 11, 2)
KILLS = 22  # at least 20 kill points, as promised
SEED = int(os.environ.get("REFLECT_KILL_SEED", "20261102"))
STARTUP = 30.0
RE_ASKS = (texts.TYPE_A_RATING[:20], texts.TYPE_A_CHOICE[:20], texts.TYPE_SOME_TEXT[:20])


@dataclass
class Acked:
    """An answer the bot acknowledged (by moving on): it must be in the journal."""

    day: date
    step_id: str
    value: str


@dataclass
class Week:
    emulator: BotAPIEmulator
    database_url: str
    workdir: Path
    key: str
    catalog: Catalog
    rng: random.Random
    kill_at: set[int]
    process: asyncio.subprocess.Process | None = None
    actions: int = 0
    kills: int = 0
    acked: list[Acked] = field(default_factory=list)
    typed: int = 0

    # -- the bot process and its clock ------------------------------------------------------
    @property
    def clock_file(self) -> Path:
        return self.workdir / "clock-offset"

    def set_clock(self, moment: datetime) -> None:
        """The bot's now() reads `moment` from this instant on (and runs on from there)."""
        offset = (moment - datetime.now(UTC)).total_seconds()
        self.clock_file.write_text(f"{offset:.6f}\n", encoding="ascii")

    def now(self) -> datetime:
        offset = float(self.clock_file.read_text(encoding="ascii"))
        return datetime.now(UTC) + timedelta(seconds=offset)

    async def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")},
            "PYTHONPATH": str(SHIM),
            "REFLECT_TEST_CLOCK_FILE": str(self.clock_file),
            "REFLECT_BOT_TOKEN": self.emulator.token,
            "REFLECT_TELEGRAM_BASE_URL": self.emulator.base_url,
            "REFLECT_TELEGRAM_BASE_FILE_URL": self.emulator.base_file_url,
            "REFLECT_DATABASE_URL": self.database_url,
            "REFLECT_DATA_DIR": str(self.workdir),
            "REFLECT_ENCRYPTION_KEYS": self.key,
            "REFLECT_TICK_SECONDS": "0.2",
        }
        polls = self.emulator.request_counts["getUpdates"]
        with (self.workdir / "bot.log").open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "reflect_bot", "run",
                cwd=self.workdir, env=env, stdout=output, stderr=output,
            )  # fmt: skip
        await self.emulator.wait_until(
            lambda: (
                self.emulator.request_counts["getUpdates"] > polls
                or (self.process is not None and self.process.returncode is not None)
            ),
            timeout=STARTUP,
            description="the bot to start polling",
        )
        assert self.process.returncode is None, self._log_tail()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no shutdown code runs
        await self.process.wait()
        self.kills += 1

    def _log_tail(self) -> str:
        return (self.workdir / "bot.log").read_text(errors="replace")[-3000:]

    # -- the journal ----------------------------------------------------------------------------
    async def stored(self) -> set[tuple[str, str]]:
        """(step id, value) of every answer in the database, read by a separate process
        (this one) while the bot's may be anywhere in its work."""
        engine = create_engine(self.database_url)
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                rows = await session.execute(
                    select(Answer, col(Reflection.started_at)).join(
                        Reflection,
                        col(Answer.reflection_id) == Reflection.id,
                    )
                )
                found: set[tuple[str, str]] = set()
                for answer, started in rows:
                    value = answer.text or answer.choice or str(answer.rating)
                    found.add((f"{started.date()}:{answer.step_id}", value))
        finally:
            await engine.dispose()
        return found

    async def check_journal(self) -> None:
        stored = await self.stored()
        missing = [a for a in self.acked if (f"{a.day}:{a.step_id}", a.value) not in stored]
        assert not missing, f"acknowledged but not in the journal: {missing}"

    # -- the clinician's hands ------------------------------------------------------------
    def latest(self) -> MessageRecord:
        return self.emulator.last_bot_message(USER)

    async def press(self, message: MessageRecord, label: str) -> MessageRecord | str | None:
        before = len(self.emulator.bot_messages(USER))
        query = await self.emulator.press_button(
            USER, message.message_id, message.callback_data(label)
        )
        return await self._outcome(before, query)

    async def type(self, text: str) -> MessageRecord | str | None:
        before = len(self.emulator.bot_messages(USER))
        await self.emulator.send_text(USER, text)
        return await self._outcome(before, None)

    async def _outcome(self, before: int, query: str | None) -> MessageRecord | str | None:
        """The bot's next message after the action; or the button's notice; or None.

        At the chosen kill points the bot is killed a random moment after the action,
        restarted, and the journal checked before anything else happens.
        """
        self.actions += 1
        waited = 5.0
        if self.actions in self.kill_at:
            await asyncio.sleep(self.rng.uniform(0.0, 0.12))
            await self.kill()
            await self.start()
            await self.check_journal()
            # Redelivered updates are handled first; then any reply has had its chance.
            await self.emulator.wait_for_updates_consumed(timeout=10)
            waited = 0.8

        def replied() -> MessageRecord | str | None:
            sent = self.emulator.bot_messages(USER)
            if len(sent) > before:
                return sent[before]
            answer = self.emulator.callback_answers.get(query or "")
            return answer.text if answer is not None and answer.text else None

        try:
            return await self.emulator.wait_until(replied, timeout=waited)
        except AssertionError:
            return None


def _value(day_number: int, position: int) -> int:
    return 1 + (day_number * 3 + position) % 5


async def _checkin(week: Week, day_number: int, day: date, rupture: bool) -> None:
    """Answers the evening's check-in from its prompt to the thank-you, whatever happens."""
    program: Program = week.catalog.program(CHECKIN_PROGRAM_ID)
    prompt = await week.emulator.wait_for_bot_message(
        USER, predicate=lambda m: "Time to reflect" in (m.text or ""), timeout=10
    )
    await asyncio.sleep(0.2)  # the sender records the prompt as sent right after Telegram's OK
    since = len(week.emulator.bot_messages(USER))
    outcome = await week.press(prompt, texts.PROMPT_START)
    for _ in range(60):
        # Done once thanked (a follow-up offer may come after the thanks).
        if any(
            "Thank you." in (m.text or "") or texts.NOTHING_IN_PROGRESS[:20] in (m.text or "")
            for m in week.emulator.bot_messages(USER)[since:]
        ):
            return
        message = week.latest()
        text = message.text or ""
        if isinstance(outcome, str) and outcome == texts.BUTTON_REFLECTION_ENDED:
            return
        if "You're partway through" in text:
            outcome = await week.press(message, message.button_texts[0])
            continue
        if outcome is None or outcome == texts.BUTTON_ALREADY_ANSWERED:
            # No reply, or the step had moved on unseen: ask where things stand.
            outcome = await week.type("/checkin")
            continue
        step = next((s for s in program.steps if s.question in text), None)
        assert step is not None, f"unexpected message: {text!r}"
        position = [s.id for s in program.steps].index(step.id)
        if step.kind is StepKind.RATING:
            value = str(_value(day_number, position))
            outcome = await week.press(message, value)
        elif step.kind is StepKind.CHOICE:
            option = "withdrawal" if rupture and step.id == "rupture" else step.options[0].id
            if step.id == "rupture" and not rupture:
                option = "none"
            value = option
            outcome = await week.press(message, step.option(option).label)
        else:
            week.typed += 1
            value = f"{day} {step.id} answer {week.typed}"
            outcome = await week.type(value)
        if isinstance(outcome, MessageRecord) and not any(
            hint in (outcome.text or "") for hint in RE_ASKS
        ):
            week.acked.append(Acked(day, step.id, value))
    raise AssertionError("the check-in never finished")


@pytest.fixture
async def week(tmp_path: Path, encryption_key: str) -> AsyncIterator[Week]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'reflect.sqlite3'}"
    await asyncio.to_thread(upgrade_head, database_url)
    rng = random.Random(SEED)
    async with BotAPIEmulator(token="123456:TEST-token") as emulator:
        the_week = Week(
            emulator=emulator,
            database_url=database_url,
            workdir=tmp_path,
            key=encryption_key,
            catalog=load_catalog(ROOT / "prompts"),
            rng=rng,
            kill_at=set(rng.sample(range(3, 46), KILLS)),
        )
        the_week.set_clock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
        try:
            yield the_week
        finally:
            if the_week.process is not None and the_week.process.returncode is None:
                await the_week.kill()


# About 40 s on an idle 2-core machine (each restart costs a cold interpreter); the
# margin is for busy CI machines.
@pytest.mark.timeout(300)
async def test_kill_9_through_a_week_loses_no_acknowledged_answer(week: Week) -> None:
    emulator = week.emulator
    await week.start()
    await emulator.send_text(USER, "/start")
    notice = await emulator.wait_for_bot_message(USER, timeout=10)
    consent = notice.callback_data(notice.button_texts[0])
    await emulator.press_button(USER, notice.message_id, consent)
    await emulator.wait_for_bot_message(USER, predicate=lambda m: "time zone" in (m.text or ""))
    await emulator.send_text(USER, "Europe/London")
    offer = await emulator.wait_for_bot_message(
        USER, predicate=lambda m: "starter plan" in (m.text or "")
    )
    await emulator.press_button(USER, offer.message_id, offer.callback_data(texts.STARTER_ACCEPT))
    await emulator.wait_for_bot_message(USER, predicate=lambda m: "plan is set" in (m.text or ""))

    for number in range(5):  # Monday to Friday: the 18:00 check-in
        day = MONDAY + timedelta(days=number)
        week.set_clock(datetime(day.year, day.month, day.day, 18, 0, 1, tzinfo=UTC))
        await _checkin(week, number, day, rupture=number in (1, 3))
        await week.check_journal()
        if number == 2:  # Wednesday 19:00 brings a deeper exercise as well
            week.set_clock(datetime(day.year, day.month, day.day, 19, 0, 1, tzinfo=UTC))
            await emulator.wait_for_bot_message(
                USER, predicate=lambda m: "Time to reflect" in (m.text or ""), timeout=10
            )
    sunday = MONDAY + timedelta(days=6)
    week.set_clock(datetime(sunday.year, sunday.month, sunday.day, 18, 0, 1, tzinfo=UTC))
    await emulator.wait_for_bot_message(
        USER, predicate=lambda m: "Your week in reflection" in (m.text or ""), timeout=10
    )
    await asyncio.sleep(1.0)  # time for any duplicate to show itself
    await week.check_journal()

    assert week.kills >= 20, f"only {week.kills} kill points were reached"
    sent = [m.text or "" for m in emulator.bot_messages(USER)]
    prompts = [t for t in sent if "Time to reflect" in t]
    digests = [t for t in sent if "Your week in reflection" in t]
    assert len(prompts) == 6, f"5 check-ins + Wednesday's exercise, each once: {len(prompts)}"
    assert len(digests) == 1
    assert len(week.acked) >= 40
