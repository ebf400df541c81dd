"""P3: building (not sending) the weekly digests of many clinicians at once.

A database is filled with 10,000 clinicians in six time zones, each with a realistic week —
four to six post-session check-ins (ratings, a rupture now and then, a note), a deeper
reflection or two with several written answers, five prompts sent — and the history a digest
reads: four earlier weeks of check-ins and a few months of reflections for the streak.
Written answers are encrypted as the bot stores them, so loading decrypts every one.

Then, for 1,000 and for 10,000 of them, it times the three stages of a digest run:
  load    `digests.load_weeks`: seven queries however many clinicians (counted with a cursor
          event), run at once on connections of their own, answers decrypted as they arrive
  build   `build_digest` for every clinician, by meaning: the concept cards each reflection
          carried (recognised when it was completed, stored as slug, answer and sentence
          number) are read, and the carrying sentence cut from the decrypted answer
  render  `render_digest` to Telegram HTML
and, with the alliance chart that ends a digest (`--no-charts` leaves them out):
  trends  `batch_trends`: the batch's check-ins of the last 12 weeks, one more query
  charts  `chart_of` for every clinician: the PNG and its caption
Each size runs `--repeat` times; the median is reported.

    python -m bench p3 [--clinicians 10000] [--sizes 1000,10000] [--repeat 3] [--no-postgres]

Target: ≤ 5 s for 10,000 (load + build + render), linear in N; the number of queries must
not grow with N. Charts are recorded beside it: ≤ 50 ms to draw one.
Results: bench/results/P3.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench._machine import machine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run as a file from a checkout
    sys.path.insert(0, str(ROOT / "src"))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import Table, TableClause, column, event, table  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog  # noqa: E402
from reflect_bot.db.engine import create_engine, create_sessionmaker  # noqa: E402
from reflect_bot.db.migrations import upgrade_head  # noqa: E402
from reflect_bot.db.models import (  # noqa: E402
    Answer,
    Clinician,
    Delivery,
    Reflection,
    ReflectionConcept,
    Schedule,
)
from reflect_bot.db.repositories import digests  # noqa: E402
from reflect_bot.db.types import set_keys  # noqa: E402
from reflect_bot.domain.digest import (  # noqa: E402
    ConceptLookup,
    DigestPrograms,
    IsoWeek,
    build_digest,
)
from reflect_bot.domain.timezones import resolve  # noqa: E402
from reflect_bot.domain.trend import DEFAULT_WEEKS, AllianceTrend  # noqa: E402
from reflect_bot.flows.trend import batch_trends  # noqa: E402
from reflect_bot.render.charts import chart_of  # noqa: E402
from reflect_bot.render.telegram_html import render_digest  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "P3.md"
POSTGRES_URL = os.environ.get(
    "REFLECT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
WEEK = IsoWeek(2026, 45)  # Monday 2 – Sunday 8 November 2026
ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "UTC+05:30",
    "Australia/Sydney",
)
CHECKIN = "post-session-checkin"
DEEPER = (
    "rupture-repair",
    "empathy-attunement",
    "secure-base",
    "two-relationships",
    "rogers-conditions",
    "collaborative-empiricism",
    "affect-labeling",
)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
#: Cards a seeded reflection may have carried by meaning (up to two per reflection).
CARRIED = ("rupture-and-repair", "empathy", "affect-labeling", "secure-base", "countertransference")

_PHRASES = (
    "I noticed I went quiet when she talked about her sister",
    "there was more trust in the room than last week",
    "we had a small rupture around the homework and I named it",
    "I felt attuned for most of the session, less so at the end",
    "my own history with my father came up as he spoke",
    "the session felt safe enough for him to cry",
    "I wanted to rescue her and held back",
    "we agreed on the goals but not on the tasks",
    "I could feel my chest tighten and I slowed down",
    "he checked whether I was still on his side",
    "the collaboration felt real today",
    "I was not sure whether she felt heard",
)


# --------------------------------------------------------------------------- seeding


def _texts(rng: random.Random, count: int) -> list[str]:
    """Written answers from one to five sentences, some with concept words in them."""
    texts = []
    for _ in range(count):
        sentences = rng.sample(_PHRASES, rng.randint(1, 5))
        texts.append(". ".join(s[0].upper() + s[1:] for s in sentences) + ".")
    return texts


# Light table handles: encrypted columns are written as ready-made ciphertext (seeding would
# otherwise spend minutes encrypting); everything else goes through the real column types.
def _light(model: Any, *, raw: Sequence[str] = ()) -> TableClause:
    real: Table = model.__table__
    columns = [column(c.name) if c.name in raw else column(c.name, c.type) for c in real.columns]
    return table(real.name, *columns)


@dataclass
class Seeded:
    clinicians: list[tuple[int, str]]
    reflections: int
    answers: int


async def seed(engine: AsyncEngine, count: int, *, seed_value: int = 3) -> Seeded:
    """`count` clinicians with a realistic digest week and history; returns what was written."""
    rng = random.Random(seed_value)
    key = Fernet.generate_key().decode("ascii")
    set_keys([key])
    cipher = Fernet(key)
    pool = [cipher.encrypt(t.encode()).decode("ascii") for t in _texts(rng, 600)]
    questions = cipher.encrypt(b"A question?").decode("ascii")

    # Rows as `insert()` takes them: column name → value.
    clinicians: list[dict[str, Any]] = []
    schedules: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    reflections: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    carried: list[dict[str, Any]] = []
    reflection_id = 0

    def reflection(cid: int, program: str, finished: datetime, texts: int, checkin: bool) -> None:
        nonlocal reflection_id
        reflection_id += 1
        reflections.append(
            {
                "id": reflection_id,
                "clinician_id": cid,
                "program_id": program,
                "program_title": program.replace("-", " ").capitalize(),
                "status": "completed",
                "started_at": finished - timedelta(minutes=5),
                "last_activity_at": finished,
                "finished_at": finished,
                "seconds_spent": rng.randint(90, 900),
            }
        )
        position = 0

        def answer(step: str, kind: str, **value: Any) -> None:
            nonlocal position
            position += 1
            answers.append(
                {
                    "reflection_id": reflection_id,
                    "step_id": step,
                    "position": position,
                    "question": questions,
                    "kind": kind,
                    "text": value.get("text"),
                    "rating": value.get("rating"),
                    "choice": value.get("choice"),
                    "answered_at": finished,
                }
            )

        if checkin:
            for step in ("bond", "goals", "tasks", "overall"):
                answer(step, "rating", rating=rng.choice((2, 3, 3, 4, 4, 4, 5, 5)))
            rupture = rng.choices(("none", "withdrawal", "confrontation", "unsure"), (85, 7, 4, 4))[
                0
            ]
            answer("rupture", "choice", choice=rupture)
            if rupture != "none":
                answer("rupture_what", "text", text=rng.choice(pool))
                answer("rupture_noticed", "text", text=rng.choice(pool))
            answer("client_rating", "rating", rating=rng.randint(2, 5))
        for n in range(texts):
            answer(f"text{n}", "text", text=rng.choice(pool))
        written = [a["position"] for a in answers[len(answers) - position :] if a["kind"] == "text"]
        for slug in rng.sample(CARRIED, min(len(written), rng.randint(0, 2))):
            carried.append(
                {
                    "reflection_id": reflection_id,
                    "slug": slug,
                    "kept": rng.choice((None, None, True, False)),
                    "confirmed_at": None,
                    "position": rng.choice(written),
                    "sentence": rng.randint(0, 2),
                }
            )

    for cid in range(1, count + 1):
        zone = ZONES[cid % len(ZONES)]
        clinicians.append(
            {
                "id": cid,
                "telegram_user_id": 10_000_000 + cid,
                "chat_id": 10_000_000 + cid,
                "display_name": None,
                "consented_at": T0,
                "timezone": zone,
                "awaiting": None,
                "reachable": True,
                "paused_until": None,
                "name_in_export": False,
                "created_at": T0,
                "updated_at": T0,
            }
        )
        schedules.append(
            {
                "id": cid,
                "clinician_id": cid,
                "kind": "prompt",
                "program_id": None,
                "weekdays": 0b0011111,
                "local_time": clock_time(9),
                "active": True,
                "created_at": T0,
                "updated_at": T0,
            }
        )
        local_zone = resolve(zone)
        for day in range(5):  # the week's prompts, sent at 09:00 local on weekdays
            sent = datetime.combine(WEEK.start + timedelta(days=day), clock_time(9), local_zone)
            deliveries.append(
                {
                    "clinician_id": cid,
                    "schedule_id": cid,
                    "local_date": date(2026, 11, 2) + timedelta(days=day),
                    "kind": "prompt",
                    "program_id": CHECKIN,
                    "due_at": sent,
                    "status": "sent",
                    "attempts": 1,
                    "sent_at": sent,
                    "created_at": T0,
                }
            )

        def moment(weeks_ago: int, local_zone: tzinfo = local_zone) -> datetime:
            # Some working hour of some day of that week, in the clinician's own zone.
            day = WEEK.start - timedelta(weeks=weeks_ago) + timedelta(days=rng.randint(0, 6))
            hour = clock_time(rng.randint(8, 19), rng.randint(0, 59))
            return datetime.combine(day, hour, tzinfo=local_zone).astimezone(UTC)

        for _ in range(rng.randint(4, 6)):  # this week: check-ins, sometimes with a note
            reflection(cid, CHECKIN, moment(0), rng.random() < 0.5, checkin=True)
        for _ in range(rng.randint(1, 2)):  # and a deeper reflection or two
            reflection(cid, rng.choice(DEEPER), moment(0), rng.randint(3, 6), checkin=False)
        for weeks_ago in range(1, 5):  # the four weeks the alliance is compared with
            for _ in range(rng.randint(2, 5)):
                reflection(cid, CHECKIN, moment(weeks_ago), rng.random() < 0.3, checkin=True)
        for weeks_ago in range(5, 17):  # older weeks: the streak, the last empathy reflection
            if rng.random() < 0.8:
                program = rng.choice((CHECKIN, *DEEPER))
                reflection(cid, program, moment(weeks_ago), 0, checkin=program == CHECKIN)

    tables = [
        (_light(Clinician, raw=("display_name",)), clinicians),
        (_light(Schedule), schedules),
        (_light(Delivery), deliveries),
        (_light(Reflection), reflections),
        (_light(Answer, raw=("question", "text", "choice_label")), answers),
        (_light(ReflectionConcept), carried),
    ]
    async with engine.begin() as connection:
        for handle, rows in tables:
            for start in range(0, len(rows), 5000):
                await connection.execute(handle.insert(), rows[start : start + 5000])
    return Seeded([(c["id"], c["timezone"]) for c in clinicians], len(reflections), len(answers))


# --------------------------------------------------------------------------- timing


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


@dataclass
class Run:
    size: int
    load: float
    build: float
    render: float
    cpu: float  # processor time of this process, all threads (SQLite works in threads)
    queries: int
    messages: int
    characters: int
    trends: float = 0.0
    charts: float = 0.0
    drawn: int = 0
    slowest_chart: float = 0.0

    @property
    def total(self) -> float:
        return self.load + self.build + self.render


async def one_run(
    engine: AsyncEngine, catalog: Catalog, clinicians: list[tuple[int, str]], *, charts: bool
) -> Run:
    """Loads the batch (the seven queries at once, on connections of their own), then builds
    and renders one digest after another, as a job sending them would; only sizes are kept."""
    sessions = create_sessionmaker(engine)
    lookup = ConceptLookup.of(catalog)
    cpu = time.process_time()  # all threads: this one and the database's
    with counting(engine) as statements:
        started = time.perf_counter()
        async with sessions() as session:
            loaded = await digests.load_weeks(
                session,
                clinicians=clinicians,
                week=WEEK,
                programs=DigestPrograms.of(catalog),
                side_sessions=sessions,
            )
        load = time.perf_counter() - started
        trends: dict[int, AllianceTrend] = {}
        if charts:
            started = time.perf_counter()
            async with sessions() as session:
                trends = await batch_trends(
                    session,
                    catalog,
                    clinicians=dict(clinicians),
                    last_week=WEEK,
                    weeks=DEFAULT_WEEKS,
                )
            trend_load = time.perf_counter() - started
    build = render = drawing = slowest = 0.0
    drawn = 0
    messages = characters = 0
    for cid, week in loaded.items():
        started = time.perf_counter()
        digest = build_digest(
            week.week, week.history, catalog, zone=week.zone, concepts=lookup, by_meaning=True
        )
        built = time.perf_counter()
        rendered = render_digest(digest, bot_username="reflect_bot")
        render += time.perf_counter() - built
        build += built - started
        assert digest.completed >= 5
        messages += len(rendered.messages)
        characters += sum(len(m) for m in rendered.messages)
        if charts:
            started = time.perf_counter()
            chart = chart_of(trends[cid])
            took = time.perf_counter() - started
            drawing += took
            if chart is not None:
                drawn += 1
                slowest = max(slowest, took)
    assert len(loaded) == len(clinicians)
    cpu = time.process_time() - cpu
    run = Run(len(clinicians), load, build, render, cpu, len(statements), messages, characters)
    if charts:
        run.trends, run.charts, run.drawn, run.slowest_chart = trend_load, drawing, drawn, slowest
    return run


async def bench_database(
    url: str, count: int, sizes: list[int], repeat: int, *, charts: bool
) -> tuple[Seeded, list[Run], float]:
    await asyncio.to_thread(upgrade_head, url)
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        seeded = await seed(engine, count)
        seeding = time.perf_counter() - started
        catalog = load_catalog(default_prompts_dir())
        await one_run(engine, catalog, seeded.clinicians[: min(sizes)], charts=charts)  # warm
        runs = []
        for size in sizes:
            attempts = [
                await one_run(engine, catalog, seeded.clinicians[:size], charts=charts)
                for _ in range(repeat)
            ]
            runs.append(sorted(attempts, key=lambda r: r.total)[len(attempts) // 2])
        return seeded, runs, seeding
    finally:
        await engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    import asyncpg

    admin = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
    name = f"reflect_bench_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(admin, timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --------------------------------------------------------------------------- report


def report(results: dict[str, tuple[Seeded, list[Run], float]], repeat: int) -> str:
    lines = [
        "# P3: building 10,000 weekly digests",
        "",
        "Load (seven queries for up to 10,000 clinicians, run at once) + build + render to",
        f"Telegram HTML, nothing sent. Median of {repeat} runs per size. Made by",
        "`python -m bench p3`.",
        "",
        "Each clinician's week: 4–6 post-session check-ins (4 ratings, a rupture in about 15%",
        "with two written answers, a note in half), 1–2 deeper reflections with 3–6 written",
        "answers, 5 prompts sent; before it, 2–5 check-ins a week for 4 weeks and a reflection",
        "in most of the 12 weeks before those. About 11 written answers a week are decrypted",
        "per clinician; each reflection carried 0–2 concept cards by meaning (recognised when",
        "it was completed and stored without words), whose sentences are cut from the answers.",
        "CPU s is this process's processor time, all",
        "threads (SQLite's work included; PostgreSQL's server works in its own processes).",
        "The machine is shared: the load average shows how busy it was.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in machine().items()),
        "",
    ]
    for database, (seeded, runs, seeding) in results.items():
        lines += [
            f"## {database}",
            "",
            f"Seeded {len(seeded.clinicians):,} clinicians, {seeded.reflections:,} reflections, "
            f"{seeded.answers:,} answers in {seeding:.1f} s.",
            "",
            "| clinicians | load s | build s | render s | total s | µs each | CPU s | queries |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for run in runs:
            each = run.total / run.size * 1e6
            lines.append(
                f"| {run.size:,} | {run.load:.2f} | {run.build:.2f} | {run.render:.2f} | "
                f"{run.total:.2f} | {each:.0f} | {run.cpu:.2f} | {run.queries} |"
            )
        smallest, largest = runs[0], runs[-1]
        ratio = (largest.total / largest.size) / (smallest.total / smallest.size)
        verdict = "met" if largest.size < 10_000 or largest.total <= 5.0 else "NOT met"
        if any(run.drawn for run in runs):
            lines += [
                "",
                "With the alliance chart that ends each digest:",
                "",
                "| clinicians | trends s (1 query) | charts drawn | charts s | ms each | "
                "slowest ms |",
                "| ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for run in runs:
                lines.append(
                    f"| {run.size:,} | {run.trends:.2f} | {run.drawn:,} | {run.charts:.2f} | "
                    f"{run.charts / max(run.drawn, 1) * 1000:.1f} | "
                    f"{run.slowest_chart * 1000:.1f} |"
                )
        lines += [
            "",
            f"Per-clinician cost at {largest.size:,} is {ratio:.2f}× that at {smallest.size:,} "
            f"(1.0 = linear); queries {smallest.queries} → {largest.queries}. "
            f"Target ≤ 5 s for 10,000: {verdict}.",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench p3", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--clinicians", type=int, default=10_000)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-charts", action="store_true", help="leave the alliance chart out")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    count = max(args.clinicians, *sizes)

    results: dict[str, tuple[Seeded, list[Run], float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'p3.sqlite3'}"
        results["SQLite"] = asyncio.run(
            bench_database(url, count, sizes, args.repeat, charts=not args.no_charts)
        )
    if not args.no_postgres:
        with postgres_database() as url:
            results["PostgreSQL"] = asyncio.run(
                bench_database(url, count, sizes, args.repeat, charts=not args.no_charts)
            )
    text = report(results, args.repeat)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
