"""P4: exporting five years of daily reflections as Markdown (or, with --format docx, as
NMC reflective accounts in a Word document).

One clinician with a reflection every day for five years (1,826 reflections, 5 answers each:
9,130 answers, their question snapshots and free text encrypted at rest) asks for `/export`.
Timed is what the handler does between the command and the send: load the journal (two
queries, every encrypted value decrypted), build it (concepts, glossary, totals) and render
it (split into parts if above the limit). Telegram's upload is not included.

The journal is seeded in this process; the export runs in a fresh child process, so its peak
resident memory (ru_maxrss) is the export's and not the seeding's. Peak Python allocation
during one export is measured with tracemalloc in a separate run (tracemalloc slows code).

    python -m bench p4 [--years 5] [--runs 5] [--no-postgres] [--format docx]

Target: ≤ 1 s per export. Results: bench/results/P4.md (Markdown), P4-docx.md (Word).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._machine import machine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # `python bench/p4_export.py` from a checkout
    sys.path.insert(0, str(ROOT / "src"))

from cryptography.fernet import Fernet  # noqa: E402

from reflect_bot.catalog import Catalog, StepKind, load_catalog  # noqa: E402
from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction  # noqa: E402
from reflect_bot.db.migrations import upgrade_head  # noqa: E402
from reflect_bot.db.models import Answer, Clinician, Reflection  # noqa: E402
from reflect_bot.db.repositories import journal as journal_repository  # noqa: E402
from reflect_bot.db.repositories import portfolio as portfolio_repository  # noqa: E402
from reflect_bot.db.types import set_keys  # noqa: E402
from reflect_bot.domain.export import (  # noqa: E402
    EXPORTED_STATUSES,
    ExportRequest,
    ExportScope,
    build_journal,
)
from reflect_bot.domain.portfolio import build_evidence  # noqa: E402
from reflect_bot.flows.portfolio import NO_CONCEPTS  # noqa: E402
from reflect_bot.render import evidence_docx  # noqa: E402
from reflect_bot.render.markdown import render_parts  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "P4.md"
RESULTS_DOCX = ROOT / "bench" / "results" / "P4-docx.md"
PROFILE = "nmc"  # the docx export lays reflections out as NMC reflective accounts
POSTGRES_URL = os.environ.get(
    "REFLECT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
ZONE = "Europe/London"
ANSWERS_PER_REFLECTION = 5
MAX_BYTES = 50 * 1024 * 1024  # the bot's default: Telegram's document limit
TARGET_SECONDS = 1.0
# Free text as clinicians write it: a few sentences, now and then a line break or markup.
SENTENCES = (
    "She went quiet when I brought up the missed sessions, and I noticed myself rushing to "
    "fill the silence rather than staying with it.",
    "We agreed on the homework, but I am not sure the goal was really hers.",
    "I felt a pull to reassure him; next time I want to ask what the worry is about first.",
    "Trust seemed stronger today: she corrected me when I got the timeline wrong.",
    "Noticed tension in my shoulders when he criticised the approach — *stay curious*.",
    "Two things to try:\n1. slow down\n2. name the rupture if it happens again",
)


def _answer_text(day: int, step: int) -> str:
    first = SENTENCES[(day + step) % len(SENTENCES)]
    second = SENTENCES[(day * 7 + step * 3) % len(SENTENCES)]
    return f"{first} {second}" if (day + step) % 3 else first


async def seed(url: str, catalog: Catalog, *, years: int, today: date) -> tuple[int, int]:
    """The clinician and a reflection every day for `years` years; (clinician id, answers)."""
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    programs = list(catalog.programs.values())
    days = round(365.25 * years)
    first_day = today - timedelta(days=days - 1)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    answers = 0
    async with transaction(sessions) as session:
        clinician = Clinician(
            telegram_user_id=1001, chat_id=1001, display_name="Ana Ruiz", consented_at=now,
            timezone=ZONE, name_in_export=True, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(clinician)
        await session.flush()
        assert clinician.id is not None
        for day in range(days):
            program = programs[day % len(programs)]
            started = datetime.combine(
                first_day + timedelta(days=day), datetime.min.time(), tzinfo=UTC
            ) + timedelta(hours=17, minutes=day % 60)
            reflection = Reflection(
                clinician_id=clinician.id, program_id=program.id, program_title=program.title,
                status="completed", started_at=started, last_activity_at=started,
                finished_at=started + timedelta(minutes=6), seconds_spent=300 + day % 240,
            )  # fmt: skip
            session.add(reflection)
            await session.flush()
            assert reflection.id is not None
            for position, step in enumerate(program.steps[:ANSWERS_PER_REFLECTION], start=1):
                session.add(_answer(reflection.id, position, step, day, started))
                answers += 1
    await engine.dispose()
    return clinician.id, answers


def _answer(reflection_id: int, position: int, step: Any, day: int, when: datetime) -> Answer:
    common = {
        "reflection_id": reflection_id,
        "step_id": step.id,
        "position": position,
        "question": step.question,
        "answered_at": when,
    }
    if step.kind is StepKind.RATING:
        return Answer(kind="rating", rating=1 + (day + position) % 5, **common)
    if step.kind is StepKind.CHOICE:
        option = step.options[day % len(step.options)]
        return Answer(kind="choice", choice=option.id, choice_label=option.label, **common)
    edited = when + timedelta(minutes=2) if day % 17 == 0 else None
    return Answer(kind="text", text=_answer_text(day, position), edited_at=edited, **common)


# ----------------------------------------------------------------------------- the child


async def export_once(
    url: str, catalog: Catalog, clinician_id: int, today: date, shape: str = "md"
) -> dict[str, float | int]:
    """What the /export handler does, timed by stage (`shape` docx: `/export nmc docx`)."""
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    try:
        request = ExportRequest(ExportScope.ALL)
        cpu_began = time.process_time()
        began = time.perf_counter()
        async with transaction(sessions) as session:
            stored = await journal_repository.load_reflections(
                session, clinician_id=clinician_id, statuses=EXPORTED_STATUSES
            )
            picks = (
                await portfolio_repository.picks_for(
                    session,
                    clinician_id=clinician_id,
                    profile_id=PROFILE,
                    reflection_ids=[reflection.id for reflection in stored],
                )
                if shape == "docx"
                else {}
            )
        loaded = time.perf_counter()
        journal = build_journal(
            request,
            stored,
            catalog=catalog,
            zone_name=ZONE,
            today=today,
            exported_at=datetime.now(UTC),
            author="Ana Ruiz",
            matcher=NO_CONCEPTS if shape == "docx" else None,
        )
        if shape == "docx":
            evidence = build_evidence(
                journal, catalog.profile(PROFILE), catalog=catalog, picks=picks
            )
            built = time.perf_counter()
            encoded = [evidence_docx.render(evidence)]
        else:
            built = time.perf_counter()
            documents = render_parts(journal, max_bytes=MAX_BYTES, bot_username="reflect_bot")
            encoded = [document.encode("utf-8") for document in documents]
        rendered = time.perf_counter()
        cpu = time.process_time() - cpu_began
    finally:
        await engine.dispose()
    return {
        "load": loaded - began,
        "build": built - loaded,
        "render": rendered - built,
        "total": rendered - began,
        "cpu": cpu,  # CPU time of the process (all threads): less sensitive to a busy machine
        "reflections": len(journal.entries),
        "answers": sum(len(entry.answers) for entry in journal.entries),
        "bytes": sum(len(data) for data in encoded),
        "parts": len(encoded),
    }


async def measure(
    url: str, clinician_id: int, runs: int, today: date, shape: str
) -> dict[str, Any]:
    catalog = load_catalog(ROOT / "prompts")
    rss_start_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # A connection and the import of every module first, so run 1 is not a cold start.
    await export_once(url, catalog, clinician_id, today, shape)
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timings = [await export_once(url, catalog, clinician_id, today, shape) for _ in range(runs)]
    rss_after_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    await export_once(url, catalog, clinician_id, today, shape)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "timings": timings,
        "rss_start_kib": rss_start_kib,
        "rss_before_kib": rss_before_kib,
        "rss_after_kib": rss_after_kib,
        "tracemalloc_peak": peak,
    }


def child_main(args: argparse.Namespace) -> int:
    set_keys([args.key])
    result = asyncio.run(
        measure(args.url, args.clinician, args.runs, date.fromisoformat(args.today), args.format)
    )
    print(json.dumps(result))
    return 0


# ----------------------------------------------------------------------------- the parent


def run_database(
    name: str, url: str, *, years: int, runs: int, shape: str = "md"
) -> dict[str, Any]:
    key = Fernet.generate_key().decode("ascii")
    set_keys([key])
    catalog = load_catalog(ROOT / "prompts")
    today = date(2026, 11, 30)
    upgrade_head(url)
    began = time.perf_counter()
    clinician_id, answers = asyncio.run(seed(url, catalog, years=years, today=today))
    seeded = time.perf_counter() - began
    print(f"[{name}] seeded {answers} answers in {seeded:.1f} s; measuring…", file=sys.stderr)
    child = subprocess.run(
        [
            sys.executable, "-m", "bench.p4_export", "--child", "--url", url, "--key", key,
            "--clinician", str(clinician_id), "--runs", str(runs), "--today", today.isoformat(),
            "--format", shape,
        ],
        cwd=ROOT, check=True, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])},
    )  # fmt: skip
    result: dict[str, Any] = json.loads(child.stdout)
    result["name"] = name
    result["seeded_answers"] = answers
    return result


def _postgres_database() -> str | None:
    import asyncpg

    async def create(name: str) -> None:
        admin = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
        connection = await asyncpg.connect(admin, timeout=5)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    name = f"reflect_bench_p4_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(create(name))
    except Exception as exc:  # no server: the PostgreSQL row is skipped, and says so
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipped", file=sys.stderr)
        return None
    return f"{POSTGRES_URL.rpartition('/')[0]}/{name}"


def _drop_postgres(url: str) -> None:
    import asyncpg

    async def drop() -> None:
        admin = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
        connection = await asyncpg.connect(admin, timeout=5)
        try:
            await connection.execute(
                f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)'
            )
        finally:
            await connection.close()

    asyncio.run(drop())


def report(
    results: list[dict[str, Any]],
    info: dict[str, str],
    *,
    years: int,
    runs: int,
    shape: str = "md",
) -> str:
    what = (
        "code path: load (2 queries + decryption), build (concepts, glossary, totals), render "
        "(Markdown, UTF-8)."
        if shape == "md"
        else "`/export nmc docx` code path: load (2 queries + decryption, and the evidence "
        "choices: 1 query), build (the journal, then each reflection laid out under the NMC "
        "form's headings), render (a Word document with python-docx, zipped)."
    )
    lines = [
        "# P4: exporting five years of daily reflections"
        + ("" if shape == "md" else " as NMC accounts (.docx)"),
        "",
        f"{years} years of one reflection a day ({results[0]['timings'][0]['reflections']:,} "
        f"reflections, {results[0]['seeded_answers']:,} answers; question snapshots, free "
        "text and choice labels encrypted at rest with Fernet), exported whole with `/export`'s "
        f"{what} Telegram's upload is not included. Each database: one warm-up "
        f"export, then {runs} timed exports in a fresh process.",
        "",
        f"Target: ≤ {TARGET_SECONDS:.0f} s per export.",
        "",
        "| database | median | min | max | CPU time | load | build | render | file | "
        "RSS: start → 1 export → all | tracemalloc peak | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        timings = result["timings"]
        totals = [t["total"] for t in timings]
        median = statistics.median(totals)

        def stage(name: str, timings: list[dict[str, float]] = timings) -> str:
            return f"{statistics.median(t[name] for t in timings) * 1000:.0f} ms"

        lines.append(
            f"| {result['name']} | {median * 1000:.0f} ms | {min(totals) * 1000:.0f} ms | "
            f"{max(totals) * 1000:.0f} ms | {stage('cpu')} | {stage('load')} | {stage('build')} | "
            f"{stage('render')} | {timings[0]['bytes'] / 1e6:.2f} MB in {timings[0]['parts']} "
            f"part(s) | {result['rss_start_kib'] / 1024:.0f} → "
            f"{result['rss_before_kib'] / 1024:.0f} → {result['rss_after_kib'] / 1024:.0f} MiB | "
            f"{result['tracemalloc_peak'] / 1e6:.1f} MB | "
            f"{'met' if median <= TARGET_SECONDS else 'MISSED'} |"
        )
    lines += [
        "",
        "Wall times are per export; load, build and render are the medians of each stage. CPU "
        "time is the exporting process's own (all its threads; a PostgreSQL server's work is "
        "not in it), which other work on a shared machine inflates far less than wall time.",
        "",
        "Memory: the export process's peak resident set (ru_maxrss) after imports and the "
        "catalog, after its first export, and after all of them; the tracemalloc peak is the "
        "most Python memory one export held at once (rows, decrypted text, the journal, the "
        "document and its UTF-8 bytes).",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        "Run: `python -m bench p4" + ("`" if shape == "md" else " --format docx`"),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench p4", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--format", choices=("md", "docx"), default="md")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--clinician", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--today", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)

    results = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'p4.sqlite3'}"
        results.append(
            run_database("SQLite", url, years=args.years, runs=args.runs, shape=args.format)
        )
    if not args.no_postgres and (pg_url := _postgres_database()) is not None:
        try:
            results.append(
                run_database(
                    "PostgreSQL", pg_url, years=args.years, runs=args.runs, shape=args.format
                )
            )
        finally:
            _drop_postgres(pg_url)
    text = report(results, machine(), years=args.years, runs=args.runs, shape=args.format)
    output = args.output or (RESULTS if args.format == "md" else RESULTS_DOCX)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(text)
    medians = [statistics.median(t["total"] for t in r["timings"]) for r in results]
    return 0 if all(m <= TARGET_SECONDS for m in medians) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
