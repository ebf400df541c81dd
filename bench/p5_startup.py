"""P5: start-up time and memory of the whole bot process on SQLite.

`python -m reflect_bot run` is started as a real process against the local Bot API emulator
(hosted here). Measured:

  start       from spawning the process to the emulator receiving its first getUpdates
              (one system-wide monotonic clock), on a database already migrated — a restart;
              the very first start (which also creates the schema) is shown too
  answered    resident memory once a new clinician has onboarded and answered the first
              question of a check-in (the first stored answer): the bot as it is once in use
  idle RSS    resident memory (VmRSS) a few seconds after the first getUpdates, with no
              clinicians (shown, no target)
  scheduled   resident memory with 10,000 clinicians on the starter plan (30,000 schedules),
              after the first scheduler tick has planned their deliveries

    python -m bench p5 [--clinicians 10000] [--repeat 5] [--python PATH]

The bots run as the Docker image runs them, with PYTHONOPTIMIZE=2 (no docstrings, no
asserts); one more answered run without it shows what that saves. To measure the bot as an
operator runs it, give it an environment installed from the lock file alone, as the
Dockerfile does:

    python -m venv /tmp/prod && /tmp/prod/bin/pip install --require-hashes -r requirements.lock
    /tmp/prod/bin/pip install --no-deps -e . && python -m bench p5 --python /tmp/prod/bin/python

Targets: start ≤ 1 s; RSS after the first stored answer ≤ 95 MB; ≤ 120 MB with 10,000
clinicians scheduled. (Until the architecture issue the target was idle RSS ≤ 80 MB, met by
importing python-telegram-bot with cryptography hidden; that trick is gone, and a bot that
has stored one answer has loaded cryptography anyway.)
Results: bench/results/P5.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._machine import machine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # `python bench/p5_startup.py` from a checkout
    sys.path.insert(0, str(ROOT / "src"))

RESULTS = ROOT / "bench" / "results" / "P5.md"
TICK_SECONDS = 2.0  # the bench shortens the tick so the first planning pass comes soon
OPTIMIZE = 2  # PYTHONOPTIMIZE, as the Dockerfile sets it
NOTES: tuple[str, ...] = (
    "## What start-up and memory are made of",
    "",
    "- **Which environment.** An operator runs the bot in an environment installed from "
    "requirements.lock alone (the Dockerfile); `--python` points the bench at one. A "
    "development venv also holds the dev and voice extras, and httpx tries to import its "
    "command-line client whenever click, pygments and rich are installed: until pip-audit (which "
    "brought rich) moved to an environment of its own, ≈ 6 MB more for the same bot "
    "(2026-12-04: 100.2 MB after the first answer there, 94.2–94.7 MB in the locked "
    "environment; 2026-12-05, without rich: 95.2 MB). The bench compiles the bot's modules "
    "first: with PYTHONDONTWRITEBYTECODE "
    "set (as on this project's machines, and in the image) nothing else would, and every "
    "start would compile ≈ 170 modules from source (importing the app: 1.38 s from source, "
    "1.13 s compiled, at load 2.5); the Dockerfile now compiles them at build time.",
    "- **Start-up, phase by phase** (a restart, locked environment, load ≈ 2.5): importing "
    "the command line ≈ 0.17 s, the database check (importing SQLAlchemy, the migration "
    "check) ≈ 0.31 s, the key check ≈ 0.11 s, importing the application ≈ 0.49 s (the 21 "
    "SQLModel tables alone ≈ 0.15–0.3 s: pydantic and SQLAlchemy build each class), building "
    "it ≈ 0.09 s, then getMe, setMyCommands and deleteWebhook ≈ 0.03 s. Deferring the rarely "
    "used families' renderers (export, portfolio, supervision) would save 0.8 MB and ≈ 13 ms; "
    "the other new modules are shared by the answer path (journal, sharing, goals).",
    "- **Start-up.** Every start on SQLite used to run Alembic to check the schema (its import "
    "alone ≈ 0.15–0.3 s and 7–11 MB). `db/migrations.upgrade_head` now recognises a SQLite "
    "file already at the newest revision with the standard library's `sqlite3` and loads "
    "Alembic only when a migration is pending (`tests/integration/test_migrations_fast_path.py`). "
    "What remains is importing the libraries (python -X importtime): SQLAlchemy's ORM, "
    "python-telegram-bot, pydantic and pydantic-settings, then the catalog's models. Start "
    "times depend heavily on how fast the (shared) machine is at the time: compare them with "
    "the echo bot's, measured in the same run.",
    "- **The cyclic collector and the TLS context** (2026-12-04, evening). While ≈ 170 "
    "modules load, Python's cyclic collector ran two full passes and many young ones over "
    "everything loaded so far. `reflect-bot` now turns it off until the command has loaded "
    "what it needs, then freezes what start-up built (modules, classes, the catalog: "
    "≈ 120,000 objects that live as long as the process) so that no later pass walks them "
    "during a clinician's answer (`cli._loaded`). Importing the command line, database, key "
    "ring and application: 0.71–0.79 s with the collector on, 0.58–0.61 s off; the bot's "
    "CPU time up to `Application started`, ten restarts each: median 0.94 s before, "
    "0.79–0.82 s after (two series). python-telegram-bot's two connection pools "
    "(getUpdates, everything else) each loaded the CA certificates into a TLS context of "
    "their own; they now share one built by `httpx.create_ssl_context()` (≈ 20 ms and "
    "1.7 MB less; `tests/e2e/test_telegram_tls.py` checks that an HTTPS Telegram whose "
    "certificate the bot cannot verify gets nothing, and that SSL_CERT_FILE is honoured).",
    "- **Idle memory.** An idle polling bot on SQLite does not load two things it does not "
    "use (≈ 5 MB together). *tornado* (≈ 3 MB): PTB's Updater imports its tornado webhook "
    "server whenever tornado is installed; `reflect-bot webhook` is served by a small aiohttp "
    "server (`webhook.py`; aiohttp already serves the sandbox and the emulator) and the "
    "`webhooks` extra is gone. *SQLAlchemy's PostgreSQL dialect* (≈ 2.4 MB): naming the "
    "partial index's `postgresql_where` in `db/models.py` imported it; Alembic's env.py now "
    "adds that spelling, and the digest repository imports PostgreSQL's insert only on "
    "PostgreSQL. `tests/e2e/test_import_footprint.py` checks this in a real process.",
    "- **cryptography is loaded at start** (≈ 9 MB, its Rust bindings bundle OpenSSL): "
    "python-telegram-bot imports it at `import telegram` for Telegram Passport whenever it is "
    "installed, and reflect-bot needs it for every stored answer. The bot used to import PTB "
    "with cryptography hidden (through PTB's private modules) so that an idle bot stayed "
    "under 80 MB; production then imported differently from the tests, for memory a bot "
    "spends as soon as it stores its first answer. P5 therefore measures the bot once it "
    "has stored an answer; idle and answered now differ by what the first conversation "
    "and encrypted value cost, not by cryptography.",
    "- **What remains** is nearly all module code and classes loaded at import: SQLAlchemy's "
    "ORM, python-telegram-bot, pydantic and pydantic-settings, httpx, aiohttp, APScheduler, "
    "asyncio/ssl from the standard library. reflect-bot's own modules add ≈ 2.5 MB of Python "
    "heap (tracemalloc), none of them 0.5 MB, so deferring handlers (export, digest, "
    "Markdown) would save nothing measurable; the rest is runtime state (event loop, the "
    "HTTP client with its TLS context, the SQLite connection, the loaded catalog). "
    "`malloc_trim` and `gc.collect()` free nothing measurable. The echo "
    "reference includes cryptography too (PTB's Passport import), ≈ 9 MB it does not use.",
    "- **aiohttp's client for the Bot API** (2026-12-05): the bot's requests to Telegram go "
    "out through aiohttp (`telegram_http.AiohttpRequest`) instead of PTB's httpx request, "
    "for half the CPU per request and per answer (P1, P6). httpx stays loaded (PTB imports "
    "it), so importing aiohttp's client is extra: ≈ 8–9 MB (its package imports everything, "
    "builds two TLS contexts at import and brings email, attrs, yarl, multidict, frozenlist) "
    "and ≈ 0.08 s per start. Same machine and locked environment, back to back: 92.2 → "
    "97.9–98.3 MB after the first stored answer, start 1.03 → 1.07–1.11 s. That puts P5 "
    "≈ 3 MB over its 95 MB target: a trade taken knowingly, the work per answer being what "
    "a burst of clinicians waits on.",
    "- **The libraries' docstrings** (2026-12-05, afternoon): python-telegram-bot documents "
    "every field of every Telegram type, and with SQLAlchemy's, pydantic's and aiohttp's "
    "docstrings that is ≈ 7 MB of strings loaded with the code and never read by a running "
    "bot. The Docker image runs with PYTHONOPTIMIZE=2 (`python -OO`), which leaves them out "
    "(and skips `assert` statements, which the bot's code uses only to narrow types for "
    "mypy); the processes the test suite starts run the same way (`tests/conftest.py`), and "
    "the whole suite also passed with its own processes optimized. The table's first rows "
    "are the bot run so; the last one runs it without.",
    "- **With clinicians scheduled**, the first tick (planning, the SQL it compiles and caches) "
    "adds ≈ 10 MB — the same with 2,000 or 10,000 clinicians: the planner pages through "
    "schedules 1,000 at a time, so memory does not grow with their number.",
)
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC+02:00")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def maps_cryptography(pid: int) -> bool:
    """Whether the process has cryptography's Rust bindings (with their OpenSSL) mapped."""
    return "cryptography/hazmat/bindings" in Path(f"/proc/{pid}/maps").read_text()


async def populate(database_url: str, key: str, clinicians: int) -> None:
    """Consented clinicians in several zones, each with the starter plan."""
    from reflect_bot.catalog import default_prompts_dir, load_catalog
    from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction
    from reflect_bot.db.models import Clinician, Schedule
    from reflect_bot.db.types import set_keys
    from reflect_bot.domain.scheduling import starter_plan

    set_keys([key])
    plans = starter_plan(load_catalog(default_prompts_dir()))
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    now = datetime.now(UTC) - timedelta(days=1)
    for start in range(0, clinicians, 1000):
        async with transaction(sessions) as session:
            people = [
                Clinician(
                    telegram_user_id=500_000 + n,
                    chat_id=500_000 + n,
                    consented_at=now,
                    timezone=ZONES[n % len(ZONES)],
                    created_at=now,
                    updated_at=now,
                )
                for n in range(start, min(start + 1000, clinicians))
            ]
            session.add_all(people)
            await session.flush()
            for person in people:
                assert person.id is not None  # flushed
                session.add_all(
                    Schedule(
                        clinician_id=person.id,
                        kind=plan.kind,
                        program_id=plan.program_id,
                        weekdays=plan.weekdays,
                        local_time=plan.local_time,
                        created_at=now,
                        updated_at=now,
                    )
                    for plan in plans
                )
    await engine.dispose()


async def delivery_rows(database_url: str) -> int:
    from sqlalchemy import func, select

    from reflect_bot.db.engine import create_engine, create_sessionmaker
    from reflect_bot.db.models import Delivery

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return int(
                (await session.execute(select(func.count()).select_from(Delivery))).scalar_one()
            )
    finally:
        await engine.dispose()


# The reference: the smallest python-telegram-bot bot (echo), polling the same emulator.
ECHO_BOT = """
import os
from telegram.ext import Application, MessageHandler, filters

async def echo(update, context):
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

builder = Application.builder().token(os.environ["ECHO_TOKEN"])
app = builder.base_url(os.environ["ECHO_BASE_URL"]).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling()
"""


async def first_answer(emulator: Any, user: int) -> None:
    """A new clinician: /start, consent, time zone, then the check-in's first question."""
    await emulator.send_text(user, "/start")
    notice = await emulator.wait_for_bot_message(user, timeout=10)
    await emulator.press_button(
        user, notice.message_id, notice.callback_data(notice.button_texts[0])
    )
    await emulator.wait_for_bot_message(user, predicate=lambda m: "time zone" in m.text, timeout=10)
    await emulator.send_text(user, "Europe/London")
    await emulator.wait_for_bot_message(
        user, predicate=lambda m: "starter plan" in m.text, timeout=10
    )
    await emulator.send_text(user, "/checkin")
    question = await emulator.wait_for_bot_message(user, timeout=10)
    await emulator.press_button(user, question.message_id, question.callback_data("4"))
    await emulator.wait_for_bot_message(user, timeout=10)  # the next question: stored


async def run_once(
    database_url: str,
    workdir: Path,
    key: str,
    *,
    settle: float,
    echo: bool = False,
    answer: bool = False,
    python: str = sys.executable,
    optimize: int = OPTIMIZE,
) -> dict[str, Any]:
    """Starts the bot, waits for its first getUpdates, then lets it idle; returns numbers.

    With `answer`, a new clinician then answers a first question and "answered_rss" is added.
    """
    from reflect_bot.emulator import BotAPIEmulator

    async with BotAPIEmulator(token="123456:BENCH") as emulator:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("REFLECT_") and k != "PYTHONOPTIMIZE"
        }
        if optimize:
            env["PYTHONOPTIMIZE"] = str(optimize)
        env.update(
            PYTHONPATH=str(ROOT / "src"),
            REFLECT_BOT_TOKEN=emulator.token,
            REFLECT_TELEGRAM_BASE_URL=emulator.base_url,
            REFLECT_TELEGRAM_BASE_FILE_URL=emulator.base_file_url,
            REFLECT_DATABASE_URL=database_url,
            REFLECT_DATA_DIR=str(workdir),
            REFLECT_ENCRYPTION_KEYS=key,
            REFLECT_TICK_SECONDS=str(TICK_SECONDS),
            REFLECT_LOG_LEVEL="WARNING",
            ECHO_TOKEN=emulator.token,
            ECHO_BASE_URL=emulator.base_url,
        )
        command = ["-c", ECHO_BOT] if echo else ["-m", "reflect_bot", "run"]
        log = (workdir / "bot.log").open("ab")
        spawned = time.monotonic()
        child = await asyncio.create_subprocess_exec(
            python, *command, env=env, cwd=workdir, stdout=log, stderr=log
        )
        try:
            await emulator.wait_until(
                lambda: any(r.method.lower() == "getupdates" for r in emulator.requests),
                timeout=60,
                description="the first getUpdates",
            )
            first = next(r for r in emulator.requests if r.method.lower() == "getupdates")
            await asyncio.sleep(settle)
            numbers: dict[str, Any] = {
                "start": first.started_at - spawned,
                "rss": rss_mb(child.pid),
                "cryptography": maps_cryptography(child.pid),
            }
            if answer:
                await first_answer(emulator, user=4242)
                await asyncio.sleep(settle)
                numbers["answered_rss"] = rss_mb(child.pid)
                numbers["answered_cryptography"] = maps_cryptography(child.pid)
            return numbers
        finally:
            child.terminate()
            await child.wait()
            log.close()


async def measure(clinicians: int, repeat: int, python: str) -> dict[str, Any]:
    from cryptography.fernet import Fernet

    from reflect_bot.db.migrations import upgrade_head

    key = Fernet.generate_key().decode("ascii")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="reflect-p5-") as tmp:
        workdir = Path(tmp)
        empty = f"sqlite+aiosqlite:///{workdir / 'empty.sqlite3'}"
        echoes = [
            await run_once(empty, workdir, key, settle=3.0, echo=True, python=python)
            for _ in range(repeat)
        ]
        results["echo_starts"] = [r["start"] for r in echoes]
        results["echo_rss"] = [r["rss"] for r in echoes]
        results["first"] = await run_once(empty, workdir, key, settle=0.5, python=python)
        restarts = [
            await run_once(empty, workdir, key, settle=3.0, python=python) for _ in range(repeat)
        ]
        results["starts"] = [r["start"] for r in restarts]
        results["idle_rss"] = [r["rss"] for r in restarts]
        results["idle_cryptography"] = any(r["cryptography"] for r in restarts)
        # The bot remembers the updates it handled, and each emulator numbers them from 1: the
        # run without PYTHONOPTIMIZE answers on a copy of the database as it is here.
        shutil.copy(workdir / "empty.sqlite3", workdir / "unoptimized.sqlite3")
        answered = await run_once(empty, workdir, key, settle=3.0, answer=True, python=python)
        results["answered_idle_rss"] = answered["rss"]
        results["answered_rss"] = answered["answered_rss"]
        results["answered_cryptography"] = answered["answered_cryptography"]
        unoptimized = await run_once(
            f"sqlite+aiosqlite:///{workdir / 'unoptimized.sqlite3'}",
            workdir,
            key,
            settle=3.0,
            answer=True,
            python=python,
            optimize=0,
        )
        results["unoptimized_answered_rss"] = unoptimized["answered_rss"]

        full = f"sqlite+aiosqlite:///{workdir / 'full.sqlite3'}"
        await asyncio.to_thread(upgrade_head, full)
        await populate(full, key, clinicians)
        # Long enough for the first tick (after TICK_SECONDS) to plan every schedule.
        loaded = await run_once(full, workdir, key, settle=TICK_SECONDS + 8.0, python=python)
        results["scheduled_rss"] = loaded["rss"]
        results["scheduled_cryptography"] = loaded["cryptography"]
        results["scheduled_start"] = loaded["start"]
        results["planned_rows"] = await delivery_rows(full)
    return results


def installed(python: str) -> str:
    """How many distributions the interpreter's environment holds, and whether the
    development tools are among them."""
    probe = (
        "import importlib.metadata as m, importlib.util as u; "
        "print(len(list(m.distributions())), bool(u.find_spec('pytest')))"
    )
    count, dev = subprocess.run(
        [python, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    return f"{count} distributions, " + ("with" if dev == "True" else "without") + " dev tools"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render(results: dict[str, Any], clinicians: int, info: dict[str, str]) -> str:
    starts, idle = results["starts"], results["idle_rss"]
    start_line = f"{statistics.median(starts):.2f} s (min {min(starts):.2f}, max {max(starts):.2f})"
    lines = [
        "# P5 — start-up and memory (whole process, SQLite)",
        "",
        "`python -m reflect_bot run` started as a process against the local Bot API emulator, "
        f"with PYTHONOPTIMIZE={OPTIMIZE} as in the Docker image (the last row: without).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| start → first getUpdates (restart, median of {len(starts)}) | {start_line} | ≤ 1 s |",
        "| start → first getUpdates (first start, creates the schema) | "
        f"{results['first']['start']:.2f} s | — |",
        "| RSS after the first stored answer (a clinician onboarded and answered) | "
        f"{results['answered_rss']:.1f} MB (idle before: {results['answered_idle_rss']:.1f}) "
        "| ≤ 95 MB |",
        f"| RSS idle after start (median) | {statistics.median(idle):.1f} MB | — |",
        f"| RSS with {clinicians:,} clinicians scheduled, after the first planning tick | "
        f"{results['scheduled_rss']:.1f} MB | ≤ 120 MB |",
        "| *reference: a bare python-telegram-bot echo bot, start → first getUpdates* | "
        f"{statistics.median(results['echo_starts']):.2f} s | — |",
        "| *reference: the same echo bot, RSS idle* | "
        f"{statistics.median(results['echo_rss']):.1f} MB | — |",
        "| *the bot without PYTHONOPTIMIZE: RSS after the first stored answer* | "
        f"{results['unoptimized_answered_rss']:.1f} MB | — |",
        "",
        f"With {clinicians:,} clinicians on the starter plan ({clinicians * 3:,} schedules) the "
        f"first tick planned {results['planned_rows']:,} delivery rows (two days ahead, and "
        "back to when the schedules were made); that start took "
        f"{results['scheduled_start']:.2f} s to its first getUpdates. "
        f"The bench shortens the tick to {TICK_SECONDS:g} s so the planning pass happens within "
        "the run.",
        "",
        "cryptography loaded (its bindings mapped): idle "
        f"{_yes(results['idle_cryptography'])}, after the first answer "
        f"{_yes(results['answered_cryptography'])}, with {clinicians:,} clinicians scheduled "
        f"{_yes(results['scheduled_cryptography'])} (the bench's clinicians have no stored text).",
        "",
        *NOTES,
        "",
        "Run: `python -m bench p5`",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench p5", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--clinicians", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter the bots run with (default: this one). An operator's bot runs "
        "in an environment installed from requirements.lock alone (the Dockerfile); a "
        "development venv also holds the dev and voice extras (httpx loads part of its "
        "command-line client there: click and pygments are installed)",
    )
    args = parser.parse_args(argv)
    # A restart reads the compiled modules an earlier start (or the image build) left: compile
    # them now, so that PYTHONDONTWRITEBYTECODE here does not turn every start into a first.
    # The libraries too, at the level the image runs with (pip compiled them without it).
    libraries = subprocess.run(
        [args.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    compile_all = [args.python, "-m", "compileall", "-q", "-j", "0"]
    subprocess.run([*compile_all, "-o", "0", "-o", str(OPTIMIZE), str(ROOT / "src")], check=True)
    subprocess.run([*compile_all, "-o", str(OPTIMIZE), libraries], check=True)
    info = machine()
    info["bots' interpreter"] = f"{args.python} ({installed(args.python)})"
    results = asyncio.run(measure(args.clinicians, args.repeat, args.python))
    text = render(results, args.clinicians, info)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
    ok = (
        statistics.median(results["starts"]) <= 1.0
        and results["answered_rss"] <= 95
        and results["scheduled_rss"] <= 120
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
