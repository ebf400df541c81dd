"""P6: 200 clinicians answering at once, against one bot process on PostgreSQL.

One `python -m reflect_bot run` process polls the local Bot API emulator hosted here, on a
fresh PostgreSQL database. 200 clinicians are onboarded, each opens a post-session
check-in, and then they answer in waves: in each wave every clinician sends their next answer
at the same moment (typed, as in P1: ratings "4", choices by their label, a unique sentence
for text steps). Round trip = from the answer reaching the emulator to the bot's next
question (or thank-you) arriving there, one monotonic clock. Afterwards the database is read
back (decrypted with the bot's key): every answer must be stored, exactly as sent.

    python -m bench p6 [--clinicians 200] [--no-write]

Results: bench/results/P6.md. The emulator applies no rate limit here (Telegram would hold a
bot to about 30 messages/s); this measures the bot and its database, not Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

THIS_FILE = Path(__file__).resolve()
ROOT = THIS_FILE.parents[1]
for entry in (str(ROOT / "src"), str(ROOT)):  # `python bench/p6_load.py` from a checkout
    if entry not in sys.path:
        sys.path.insert(0, entry)

from bench._machine import machine  # noqa: E402
from bench.p1_roundtrip import (  # noqa: E402
    _base_env,
    _postgres_admin,
    _postgres_reachable,
    percentile,
    postgres_database,
    process,
)
from reflect_bot.catalog import Program, Role, Step, StepKind, load_catalog  # noqa: E402
from reflect_bot.emulator import BotAPIEmulator, MessageRecord  # noqa: E402

FIRST_USER = 10_001
STARTUP = 60.0
WAIT = 60.0  # per reply, generous: under load a reply may queue behind 199 others
RESULTS = ROOT / "bench" / "results" / "P6.md"
ONBOARD_GROUP = 50


@dataclass
class Clinician:
    user: int
    program: Program
    given: dict[str, str | int] = field(default_factory=dict)
    step: Step | None = None
    sent: dict[str, str | int] = field(default_factory=dict)  # step id → what was stored

    def next_answer(self) -> tuple[str, str | int]:
        step = self.step
        assert step is not None
        if step.kind is StepKind.RATING:
            return "4", 4
        if step.kind is StepKind.CHOICE:
            # Half report a rupture, so the conditional text steps run too.
            wanted = ("unsure" if self.user % 2 else "none") if step.id == "rupture" else None
            option = step.option(wanted) if wanted else step.options[-1]
            return option.label, option.id
        sentence = f"Clinician {self.user}, {step.id}: I noticed the pause and stayed with it."
        return sentence, sentence


async def _onboard(emulator: BotAPIEmulator, clinician: Clinician) -> None:
    user = clinician.user
    await emulator.send_text(user, "/start")
    notice = await emulator.wait_for_bot_message(user, timeout=WAIT)
    await emulator.click(user, notice.button_texts[0])
    await emulator.wait_for_bot_message(
        user, predicate=lambda m: "time zone" in (m.text or ""), timeout=WAIT
    )
    await emulator.send_text(user, "Europe/London")
    offer = await emulator.wait_for_bot_message(
        user, predicate=lambda m: "starter plan" in (m.text or ""), timeout=WAIT
    )
    await emulator.click(user, "Not now", message_id=offer.message_id)
    await emulator.wait_for_bot_message(user, timeout=WAIT)
    await emulator.send_text(user, "/checkin")
    first = await emulator.wait_for_bot_message(user, timeout=WAIT)
    clinician.step = clinician.program.next_step(None, {})
    assert clinician.step is not None and clinician.step.question in (first.text or "")


async def _answer(emulator: BotAPIEmulator, clinician: Clinician) -> float:
    step = clinician.step
    assert step is not None
    typed, value = clinician.next_answer()
    sent = time.monotonic()
    await emulator.send_text(clinician.user, typed)
    reply: MessageRecord = await emulator.wait_for_bot_message(clinician.user, timeout=WAIT)
    clinician.given[step.id] = value
    clinician.sent[step.id] = value
    clinician.step = clinician.program.next_step(step.id, clinician.given)
    expected = "Thank you" if clinician.step is None else clinician.step.question
    assert expected in (reply.text or ""), (clinician.user, step.id, reply.text)
    if clinician.step is None and clinician.program.follow_up(clinician.given) is not None:
        await emulator.wait_for_bot_message(clinician.user, timeout=WAIT)  # the offer
    return reply.sent_at - sent


async def _stored(database_url: str, key: str) -> dict[int, dict[str, str | int]]:
    """Every stored answer, decrypted, per Telegram user id."""
    from sqlalchemy import select
    from sqlmodel import col

    from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction
    from reflect_bot.db.models import Answer, Reflection
    from reflect_bot.db.models import Clinician as ClinicianRow
    from reflect_bot.db.types import set_keys

    set_keys([key])
    engine = create_engine(database_url)
    found: dict[int, dict[str, str | int]] = {}
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            rows = await session.execute(
                select(col(ClinicianRow.telegram_user_id), Answer)
                .join(Reflection, col(Reflection.clinician_id) == ClinicianRow.id)
                .join(Answer, col(Answer.reflection_id) == Reflection.id)
            )
            for user, answer in rows:
                value = answer.text if answer.kind == "text" else answer.rating or answer.choice
                found.setdefault(int(user), {})[answer.step_id] = value or ""
    finally:
        await engine.dispose()
    return found


@dataclass
class Outcome:
    clinicians: int
    waves: int
    latencies: list[float]
    wave_seconds: list[float]
    stored: int
    expected: int
    missing: list[str]
    onboarding_seconds: float
    bot_cpu_seconds: float = 0.0  # during the waves
    emulator_cpu_seconds: float = 0.0  # this process (emulator and clients), during the waves


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process `pid` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(count: int) -> tuple[Outcome, dict[str, str]]:
    from cryptography.fernet import Fernet

    from reflect_bot.db.migrations import upgrade_head

    program = load_catalog(ROOT / "prompts").program_for(Role.CHECKIN)
    key = Fernet.generate_key().decode("ascii")
    with tempfile.TemporaryDirectory(prefix="reflect-p6-") as folder:
        async with AsyncExitStack() as stack:
            url = await stack.enter_async_context(postgres_database())
            await asyncio.to_thread(upgrade_head, url)
            emulator = await stack.enter_async_context(BotAPIEmulator(token="666:LOAD"))
            env = {
                **_base_env(),
                "REFLECT_BOT_TOKEN": emulator.token,
                "REFLECT_TELEGRAM_BASE_URL": emulator.base_url,
                "REFLECT_TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
                "REFLECT_DATABASE_URL": url,
                "REFLECT_DATA_DIR": folder,
                "REFLECT_ENCRYPTION_KEYS": key,
                "REFLECT_LOG_LEVEL": "WARNING",
            }
            bot = await stack.enter_async_context(
                process([sys.executable, "-m", "reflect_bot", "run"], env, Path(folder) / "bot.log")
            )
            clinicians = [Clinician(FIRST_USER + n, program) for n in range(count)]
            started = time.monotonic()
            # Onboarding is set-up, not the measurement: in groups, so it cannot time out.
            for first in range(0, count, ONBOARD_GROUP):
                group = clinicians[first : first + ONBOARD_GROUP]
                await asyncio.gather(*(_onboard(emulator, c) for c in group))
            onboarding = time.monotonic() - started

            latencies: list[float] = []
            wave_seconds: list[float] = []
            bot_cpu, own_cpu = _cpu_seconds(bot.pid), time.process_time()
            while any(c.step is not None for c in clinicians):
                answering = [c for c in clinicians if c.step is not None]
                began = time.monotonic()
                latencies += await asyncio.gather(*(_answer(emulator, c) for c in answering))
                wave_seconds.append(time.monotonic() - began)
            bot_cpu, own_cpu = _cpu_seconds(bot.pid) - bot_cpu, time.process_time() - own_cpu

            stored = await _stored(url, key)
            info = machine()
            # Other work on the machine skews latency; say how busy it was.
            info["load average (1, 5, 15 min) at the end"] = ", ".join(
                f"{v:.2f}" for v in os.getloadavg()
            )
            info["postgresql"] = (await _postgres_admin("SELECT version()")).split(",")[0]
    missing = [
        f"{c.user}:{step}"
        for c in clinicians
        for step, value in c.sent.items()
        if stored.get(c.user, {}).get(step) != value
    ]
    outcome = Outcome(
        clinicians=count,
        waves=len(wave_seconds),
        latencies=latencies,
        wave_seconds=wave_seconds,
        stored=sum(len(v) for v in stored.values()),
        expected=sum(len(c.sent) for c in clinicians),
        missing=missing,
        onboarding_seconds=onboarding,
        bot_cpu_seconds=bot_cpu,
        emulator_cpu_seconds=own_cpu,
    )
    return outcome, info


def report(outcome: Outcome, info: dict[str, str]) -> str:
    values = outcome.latencies
    p50, p90, p99 = (percentile(values, q) for q in (0.5, 0.9, 0.99))
    lines = [
        f"# P6: {outcome.clinicians} clinicians answering at once (one process, PostgreSQL)",
        "",
        "One `python -m reflect_bot run` process on a fresh PostgreSQL database polls the local "
        "Bot API emulator hosted in the benchmark process. Every clinician has a post-session "
        "check-in open; in each wave all of them send their next answer at the same moment "
        "(typed: ratings, choice labels, a unique sentence for text steps). Round trip = from "
        "the answer reaching the emulator to the bot's next question (or thank-you) arriving "
        "there. The emulator applies no rate limit (Telegram would allow a bot about 30 "
        "messages/s), so this measures the bot and its database. Afterwards the answers are "
        "read back from the database and compared with what was sent. "
        "Run: `python -m bench p6`.",
        "",
        "| clinicians | waves | answers | stored as sent | p50 ms | p90 ms | p99 ms | max ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {outcome.clinicians} | {outcome.waves} | {len(values)} | "
        f"{outcome.expected - len(outcome.missing)} of {outcome.expected} | {p50 * 1000:.1f} | "
        f"{p90 * 1000:.1f} | {p99 * 1000:.1f} | {max(values) * 1000:.1f} |",
        "",
        f"- Every answer stored: **{'yes' if not outcome.missing else 'NO'}** "
        f"({outcome.stored} answer rows for {outcome.expected} answers sent"
        + (f"; missing or different: {', '.join(outcome.missing[:10])}" if outcome.missing else "")
        + ").",
        "- A wave (all clinicians answering at once, until the last reply): "
        + ", ".join(f"{s:.2f} s" for s in outcome.wave_seconds)
        + ".",
        f"- Throughput over the waves: {len(values) / sum(outcome.wave_seconds):.0f} answers/s, "
        "each answer stored (encrypted, committed) before its reply, and each reply one or two "
        "Bot API calls (the next question; for a typed rating or choice, also taking the "
        "answered question's buttons away). Telegram itself would cap the replies at about "
        "30 messages/s, so on Telegram the queue, not the bot, sets the tail.",
        f"- CPU during the waves: the bot {outcome.bot_cpu_seconds:.1f} s "
        f"({outcome.bot_cpu_seconds / len(values) * 1000:.1f} ms per answer), the benchmark "
        f"process with the emulator {outcome.emulator_cpu_seconds:.1f} s, over "
        f"{sum(outcome.wave_seconds):.1f} s of waves on {os.cpu_count()} cores shared with "
        "the machine's other work (load average below).",
        f"- Onboarding (set-up, {ONBOARD_GROUP} at a time: /start, consent, time zone, plan "
        f"offer, /checkin): {outcome.onboarding_seconds:.1f} s for {outcome.clinicians}.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench p6", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--clinicians", type=int, default=200)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if not _postgres_reachable():
        print("PostgreSQL is not reachable (REFLECT_TEST_POSTGRES_URL); P6 needs it.")
        return 2
    outcome, info = asyncio.run(run(args.clinicians))
    text = report(outcome, info)
    print(text)
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0 if not outcome.missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
