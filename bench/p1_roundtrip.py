"""P1: how long a clinician waits for the next question after answering.

Round trip = from the moment the clinician's message reaches the emulator to the moment the
bot's next question arrives there (both read from one monotonic clock in this process).
Three bots run as real processes, each polling its own instance of the local Bot API
emulator hosted here:

  echo      a bare python-telegram-bot echo bot (MessageHandler → send_message), the floor
  sqlite    `python -m reflect_bot run` on a SQLite file
  postgres  `python -m reflect_bot run` on PostgreSQL (REFLECT_TEST_POSTGRES_URL)

The reflect-bot targets answer post-session check-ins by typing (ratings "4", choices by
their label, sentences for text steps), so every answer is stored, encrypted and committed
before the next question is sent. Targets take turns in rounds so drift hits all alike.

Besides the round trip, each bot's process CPU time (user + system, from /proc) is summed
over its counted turns, after a warm-up that is not counted, and divided by the answers
counted: the work the bot does per answer, which the machine's other load disturbs far less
than the round trip.

    python -m bench p1 [--answers 600] [--rounds 6] [--no-postgres]
    python bench/p1_roundtrip.py ...

Target (issue #21): CPU per answer ≤ 2.5 × the echo bot's, p50 ≤ 2.5 × and p99 ≤ 3 × the
echo bot's round trip in the same run. Results: bench/results/P1.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench._machine import machine

THIS_FILE = Path(__file__).resolve()
ROOT = THIS_FILE.parents[1]
if str(ROOT / "src") not in sys.path:  # `python bench/p1_roundtrip.py` from a checkout
    sys.path.insert(0, str(ROOT / "src"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reflect_bot.catalog import (  # noqa: E402
    Program,
    Role,
    Step,
    StepKind,
    load_catalog,
)
from reflect_bot.emulator import BotAPIEmulator, MessageRecord  # noqa: E402

USER = 1001
WARMUP = 20  # answers per target not counted: connection set-up, first queries, JIT caches
CPU_RATIO_TARGET, P50_RATIO_TARGET, P99_RATIO_TARGET = 2.5, 2.5, 3.0
STARTUP = 60.0
RESULTS = ROOT / "bench" / "results" / "P1.md"
NOTES_MARKER = "<!-- notes: kept when the benchmark rewrites this file -->"
POSTGRES_URL = os.environ.get(
    "REFLECT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SENTENCE = (
    "She went quiet when I brought up the missed sessions, and I noticed myself rushing "
    "to fill the silence rather than staying with it."
)


# --------------------------------------------------------------------------- processes


@asynccontextmanager
async def process(
    args: list[str], env: dict[str, str], log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A child process, stopped (SIGTERM, then SIGKILL) on exit."""
    with log.open("ab") as output:
        child = await asyncio.create_subprocess_exec(
            *args,
            env=env,
            cwd=log.parent,
            stdout=output,
            stderr=output,
            preexec_fn=_die_with_parent,
        )
    try:
        yield child
    finally:
        if child.returncode is None:
            child.terminate()
            try:
                await asyncio.wait_for(child.wait(), 3)
            except TimeoutError:
                child.kill()
                await child.wait()


def _die_with_parent() -> None:
    """In the child: Linux kills it when the benchmark dies, however abruptly."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the finally blocks still stop the children on a normal exit


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env["PYTHONOPTIMIZE"] = "2"  # both bots run as the Docker image runs reflect-bot
    return env


def reflect_env(emulator: BotAPIEmulator, database_url: str, workdir: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        **_base_env(),
        "REFLECT_BOT_TOKEN": emulator.token,
        "REFLECT_TELEGRAM_BASE_URL": emulator.base_url,
        "REFLECT_TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
        "REFLECT_DATABASE_URL": database_url,
        "REFLECT_DATA_DIR": str(workdir),
        "REFLECT_ENCRYPTION_KEYS": Fernet.generate_key().decode("ascii"),
    }


def run_echo_bot() -> None:
    """The baseline: the smallest python-telegram-bot bot that answers every text."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat and update.effective_message:
            await context.bot.send_message(
                update.effective_chat.id, update.effective_message.text or "?"
            )

    application = (
        Application.builder()
        .token(os.environ["ECHO_TOKEN"])
        .base_url(os.environ["ECHO_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(drop_pending_updates=False)


# --------------------------------------------------------------------------- drivers


@dataclass
class Target:
    """One bot under measurement and how to drive it."""

    name: str
    emulator: BotAPIEmulator
    answer: Callable[[], Awaitable[float | None]]  # one answer; its round trip (s) or None
    pid: int

    def cpu_time(self) -> float:
        """User + system CPU seconds the bot process has used so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _next_message(emulator: BotAPIEmulator, *, within: float = 30.0) -> MessageRecord:
    return await emulator.wait_for_bot_message(USER, timeout=within)


def echo_driver(emulator: BotAPIEmulator) -> Callable[[], Awaitable[float | None]]:
    counter = 0

    async def answer() -> float:
        nonlocal counter
        counter += 1
        sent = time.monotonic()
        await emulator.send_text(USER, f"{SENTENCE} ({counter})")
        reply = await _next_message(emulator)
        return reply.sent_at - sent

    return answer


class CheckinDriver:
    """Answers post-session check-ins by typing, one answer per call, forever."""

    def __init__(self, emulator: BotAPIEmulator, program: Program) -> None:
        self.emulator = emulator
        self.program = program
        self.answers: dict[str, str | int] = {}
        self.step: Step | None = None
        self.checkins = 0

    async def onboard(self) -> None:
        emulator = self.emulator
        await emulator.send_text(USER, "/start")
        notice = await _next_message(emulator, within=STARTUP)
        await emulator.click(USER, notice.button_texts[0])
        await emulator.wait_for_bot_message(USER, predicate=lambda m: "time zone" in (m.text or ""))
        await emulator.send_text(USER, "Europe/London")
        await emulator.wait_for_bot_message(USER, predicate=lambda m: "all set" in (m.text or ""))

    async def _wait_for(self, words: str) -> MessageRecord:
        """The bot's next message containing `words` (other messages, say a tip after
        onboarding, are passed over)."""
        return await self.emulator.wait_for_bot_message(
            USER, predicate=lambda m: words in (m.text or ""), timeout=30.0
        )

    async def _begin(self) -> None:
        self.checkins += 1
        self.answers = {}
        await self.emulator.send_text(USER, "/checkin")
        self.step = self.program.next_step(None, self.answers)
        assert self.step is not None
        await self._wait_for(self.step.question)

    def _typed(self) -> tuple[str, str | int]:
        step = self.step
        assert step is not None
        if step.kind is StepKind.RATING:
            return "4", 4
        if step.kind is StepKind.CHOICE:
            # Every other check-in reports a rupture, so its conditional steps run too.
            if step.id == "rupture":
                option = step.option("unsure" if self.checkins % 2 else "none")
            else:
                option = step.options[-1]
            return option.label, option.id
        return SENTENCE, SENTENCE

    async def answer(self) -> float | None:
        if self.step is None:
            await self._begin()
        step = self.step
        assert step is not None
        typed, value = self._typed()
        sent = time.monotonic()
        await self.emulator.send_text(USER, typed)
        self.answers[step.id] = value
        self.step = self.program.next_step(step.id, self.answers)
        if self.step is None:  # the thank-you, maybe a follow-up offer: not a next question
            await self._wait_for("Thank you")
            follow_up = self.program.follow_up(self.answers)
            if follow_up is not None and follow_up.offer:
                await self._wait_for(follow_up.offer[:40])
            return None
        reply = await self._wait_for(self.step.question)
        return reply.sent_at - sent


# --------------------------------------------------------------------------- PostgreSQL


async def _postgres_admin(sql: str) -> str:
    import asyncpg

    connection = await asyncpg.connect(
        POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"), timeout=5
    )
    try:
        if sql.upper().startswith("SELECT"):
            return str(await connection.fetchval(sql))
        await connection.execute(sql)
        return ""
    finally:
        await connection.close()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    name = f"reflect_bench_{uuid.uuid4().hex[:10]}"
    await _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
    finally:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- the run


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def start_targets(
    stack: AsyncExitStack, workdir: Path, *, with_postgres: bool
) -> list[Target]:
    from reflect_bot.db.migrations import upgrade_head

    program = load_catalog(ROOT / "prompts").program_for(Role.CHECKIN)
    targets: list[Target] = []

    echo_emu = await stack.enter_async_context(BotAPIEmulator(token="111:ECHO"))
    echo_env = {**_base_env(), "ECHO_TOKEN": echo_emu.token, "ECHO_BASE_URL": echo_emu.base_url}
    echo = await stack.enter_async_context(
        process(
            [sys.executable, str(THIS_FILE), "--echo-bot"],
            echo_env,
            workdir / "echo.log",
        )
    )
    targets.append(Target("echo", echo_emu, echo_driver(echo_emu), echo.pid))

    databases = [("sqlite", f"sqlite+aiosqlite:///{workdir / 'p1.sqlite3'}")]
    if with_postgres:
        databases.append(("postgres", await stack.enter_async_context(postgres_database())))
    for name, url in databases:
        await asyncio.to_thread(upgrade_head, url)
        emulator = await stack.enter_async_context(BotAPIEmulator(token=f"222:{name.upper()}"))
        folder = workdir / name
        folder.mkdir()
        bot = await stack.enter_async_context(
            process(
                [sys.executable, "-m", "reflect_bot", "run"],
                reflect_env(emulator, url, folder),
                folder / "bot.log",
            )
        )
        driver = CheckinDriver(emulator, program)
        await driver.onboard()
        targets.append(Target(name, emulator, driver.answer, bot.pid))
    # The echo bot must be polling too before the clock starts.
    await echo_emu.send_text(USER, "ready?")
    await _next_message(echo_emu, within=STARTUP)
    return targets


@dataclass
class Sample:
    """One target's measurements at one pause."""

    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the bot process's CPU time during its counted turns
    api_calls: int = 0  # Bot API requests the bot made during its counted turns


async def measure(
    targets: list[Target], *, answers: int, rounds: int, pause: float
) -> dict[str, Sample]:
    """Each target answers in turn, `rounds` times; `pause` s of reading between answers.

    Every target first answers WARMUP times unmeasured; then CPU time is taken per turn.
    """
    for target in targets:
        done = 0
        while done < WARMUP:
            done += await target.answer() is not None
    samples = {target.name: Sample() for target in targets}
    per_round = -(-answers // rounds)
    for _ in range(rounds):
        for target in targets:
            sample = samples[target.name]
            done = 0
            cpu_before = target.cpu_time()
            calls_before = sum(target.emulator.state.request_counts.values())
            while done < per_round:
                latency = await target.answer()
                if pause:
                    await asyncio.sleep(pause)
                if latency is None:
                    continue
                done += 1
                sample.latencies.append(latency)
            sample.cpu_seconds += target.cpu_time() - cpu_before
            sample.api_calls += sum(target.emulator.state.request_counts.values()) - calls_before
    return samples


def cpu_per_answer(sample: Sample) -> float:
    """CPU seconds per counted answer (a check-in's start and thank-you included)."""
    return sample.cpu_seconds / max(len(sample.latencies), 1)


def report(runs: dict[float, dict[str, Sample]], info: dict[str, str]) -> str:
    lines = [
        "# P1: answer → next question round trip, and CPU per answer",
        "",
        "From the clinician's message reaching the local Bot API emulator to the bot's next "
        "question arriving there. Each bot is a separate process polling its own emulator "
        "instance in the benchmark process, run with PYTHONOPTIMIZE=2 as the Docker image "
        "runs reflect-bot; the reflect-bot targets answer post-session "
        "check-ins by typing (every answer stored, encrypted and committed first). Targets "
        f"take turns in rounds after {WARMUP} warm-up answers each, which are not counted. "
        "`CPU ms/answer` is the bot process's CPU time (user + system) during its counted "
        "turns per counted answer (starting and finishing check-ins included); `Bot API calls` "
        "counts the requests it made to the emulator in those turns (getUpdates included). "
        "Run: `python -m bench p1`.",
    ]
    for pause, samples in runs.items():
        echo = samples["echo"]
        echo_p50, echo_p99 = percentile(echo.latencies, 0.5), percentile(echo.latencies, 0.99)
        echo_cpu = cpu_per_answer(echo)
        lines += [
            "",
            f"## {pause * 1000:.0f} ms between seeing a question and answering it",
            "",
            "| target | answers | p50 ms | p90 ms | p99 ms | max ms | p50 × echo | p99 × echo "
            "| CPU ms/answer | CPU × echo | Bot API calls/answer | met |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, sample in samples.items():
            values = sample.latencies
            p50, p90, p99 = (percentile(values, q) for q in (0.5, 0.9, 0.99))
            r50, r99 = p50 / echo_p50, p99 / echo_p99
            cpu = cpu_per_answer(sample)
            r_cpu = cpu / echo_cpu if echo_cpu else float("nan")
            met = r_cpu <= CPU_RATIO_TARGET and r50 <= P50_RATIO_TARGET and r99 <= P99_RATIO_TARGET
            lines.append(
                f"| {name} | {len(values)} | {p50 * 1000:.2f} | {p90 * 1000:.2f} | "
                f"{p99 * 1000:.2f} | {max(values) * 1000:.2f} | {r50:.2f} | {r99:.2f} | "
                f"{cpu * 1000:.2f} | {r_cpu:.2f} | {sample.api_calls / max(len(values), 1):.2f} | "
                f"{'—' if name == 'echo' else ('yes' if met else 'no')} |"
            )
    lines += [
        "",
        f"Target: CPU per answer ≤ {CPU_RATIO_TARGET} × echo, p50 ≤ {P50_RATIO_TARGET} × and "
        f"p99 ≤ {P99_RATIO_TARGET} × echo (issue #21).",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    return "\n".join(lines) + "\n"


async def run(answers: int, rounds: int, *, pauses: list[float], with_postgres: bool) -> str:
    runs: dict[float, dict[str, Sample]] = {}
    with tempfile.TemporaryDirectory(prefix="reflect-p1-") as folder:
        async with AsyncExitStack() as stack:
            targets = await start_targets(stack, Path(folder), with_postgres=with_postgres)
            info = machine()
            if with_postgres:
                info["postgresql"] = (await _postgres_admin("SELECT version()")).split(",")[0]
            info["load average before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
            for pause in pauses:
                runs[pause] = await measure(targets, answers=answers, rounds=rounds, pause=pause)
            info["load average after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return report(runs, info)


def _postgres_reachable() -> bool:
    try:
        asyncio.run(_postgres_admin("SELECT 1"))
    except Exception:  # any failure to connect means "no server here"
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench p1", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--answers", type=int, default=600, help="counted answers per target")
    parser.add_argument("--rounds", type=int, default=6, help="turns each target takes")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite and echo only")
    parser.add_argument(
        "--pauses",
        default="0,50",
        help="milliseconds the clinician reads before answering, one run each (default 0,50)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.echo_bot:
        run_echo_bot()
        return 0
    # SIGTERM unwinds like Ctrl-C, so the bots and the PostgreSQL database are cleaned up.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with_postgres = not args.no_postgres and _postgres_reachable()
    if not args.no_postgres and not with_postgres:
        print(f"PostgreSQL not reachable at {POSTGRES_URL}; SQLite only.", file=sys.stderr)
    pauses = [int(p) / 1000 for p in args.pauses.split(",") if p.strip()]
    text = asyncio.run(run(args.answers, args.rounds, pauses=pauses, with_postgres=with_postgres))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.output.exists():  # hand-written analysis below the marker survives a re-run
        _, marker, notes = args.output.read_text(encoding="utf-8").partition(NOTES_MARKER)
        text += f"\n{marker}{notes}" if marker else ""
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
