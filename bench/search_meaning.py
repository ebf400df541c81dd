"""/search by meaning over five years of daily reflections (issue 17).

One clinician with a reflection every day for five years (1,826 reflections, 3 written
answers each: 5,478 answers, encrypted at rest) searches with a paraphrase. Timed is what
the /search handler waits for: `flows.search.find` — one query, every answer decrypted,
embedded in memory and ranked, the matching sentences picked — with the recogniser already
loaded (its first load, ≈ 0.1–0.2 s, is timed separately). The answers are sentences of the
project's labelled set, one to three per answer, with every rupture line left out; one
reflection in the third year describes a withdrawal in words of its own, and the search uses
other words again: where it ranks is recorded.

    python -m bench search [--years 5] [--runs 5]

Target: ≤ 1 s per search. Results: bench/results/SEARCH.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._machine import machine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # `python bench/search_meaning.py` from a checkout
    sys.path.insert(0, str(ROOT / "src"))

from cryptography.fernet import Fernet  # noqa: E402

from reflect_bot.catalog import default_prompts_dir, load_catalog  # noqa: E402
from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction  # noqa: E402
from reflect_bot.db.migrations import upgrade_head  # noqa: E402
from reflect_bot.db.models import Answer, Clinician, Reflection  # noqa: E402
from reflect_bot.db.types import set_keys  # noqa: E402
from reflect_bot.flows.search import find  # noqa: E402
from reflect_bot.recognition_loader import LazyRecogniser  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "SEARCH.md"
LABELLED = ROOT / "tests" / "data" / "concepts" / "labelled.jsonl"
T0 = datetime(2021, 11, 1, 19, 0, tzinfo=UTC)
ANSWERS_EACH = 3
PLANTED = "She went quiet and kept saying 'fine, whatever' after I pushed the homework."
QUERY = "my client shut down and withdrew when I pressed her about homework"
#: The same withdrawal told with no word in common with the query: static word vectors see
#: little of it (similarity 0.09 to QUERY); recorded as a limit, not hidden.
UNSHARED = "Halfway through he folded his arms, answered in single words and stopped looking at me."
TARGET_S = 1.0


def _sentences() -> list[str]:
    lines = [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]
    return [line["text"] for line in lines if "rupture-and-repair" not in line["concepts"]]


async def seed(url: str, days: int) -> tuple[int, int, int]:
    """The clinician and their `days` daily reflections; returns the clinician's id and the
    two planted reflections' (shared words, none shared)."""
    rng = random.Random(17)
    pool = _sentences()
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    planted_day = days * 3 // 5
    async with transaction(sessions) as session:
        clinician = Clinician(telegram_user_id=1, chat_id=1, created_at=T0, updated_at=T0)
        session.add(clinician)
        await session.flush()
        assert clinician.id is not None
        reflections = [
            Reflection(
                clinician_id=clinician.id,
                program_id="empathy-attunement",
                program_title="Empathy and attunement",
                status="completed",
                started_at=T0 + timedelta(days=day),
                last_activity_at=T0 + timedelta(days=day, minutes=9),
                finished_at=T0 + timedelta(days=day, minutes=9),
                seconds_spent=540,
            )
            for day in range(days)
        ]
        session.add_all(reflections)
        await session.flush()
        for day, reflection in enumerate(reflections):
            assert reflection.id is not None
            for position in range(ANSWERS_EACH):
                text = " ".join(rng.sample(pool, rng.randint(1, 3)))
                if day == planted_day and position == 1:
                    text = PLANTED
                if day == planted_day + 1 and position == 1:
                    text = UNSHARED
                session.add(
                    Answer(
                        reflection_id=reflection.id,
                        step_id=f"s{position}",
                        position=position,
                        question="What happened?",
                        kind="text",
                        text=text,
                        answered_at=reflection.started_at,
                    )
                )
        planted, unshared = reflections[planted_day].id, reflections[planted_day + 1].id
        assert planted is not None and unshared is not None
        clinician_id = clinician.id
    await engine.dispose()
    return clinician_id, planted, unshared


async def run(
    url: str, clinician_id: int, planted: int, unshared: int, runs: int
) -> dict[str, object]:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    lazy = LazyRecogniser(load_catalog(default_prompts_dir()))
    started = time.perf_counter()
    await asyncio.to_thread(lazy.get)
    first_load = time.perf_counter() - started
    timings: list[float] = []
    cpu: list[float] = []
    rank = unshared_rank = -1
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        found = await find(sessions, lazy.get, clinician_id=clinician_id, query=QUERY)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        ids = [match.reflection_id for match in found]
        rank = ids.index(planted) + 1 if planted in ids else -1
        unshared_rank = ids.index(unshared) + 1 if unshared in ids else -1
    await engine.dispose()
    return {
        "first_load_s": first_load,
        "median_s": statistics.median(timings),
        "worst_s": max(timings),
        "cpu_median_s": statistics.median(cpu),
        "rank": rank,
        "unshared_rank": unshared_rank,
    }


def _rank(rank: object) -> str:
    return "not among the results shown" if rank == -1 else f"found, rank {rank}"


def report(days: int, runs: int, result: dict[str, object]) -> str:
    median = float(str(result["median_s"]))
    lines = [
        "# /search by meaning over five years of daily reflections",
        "",
        f"{days:,} daily reflections × {ANSWERS_EACH} written answers = {days * ANSWERS_EACH:,} "
        "answers, encrypted at rest (SQLite). Timed: `flows.search.find` (one query, decrypt, "
        f"embed, rank, pick sentences), recogniser already loaded; median of {runs} runs. "
        "Made by `python -m bench search`.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in machine().items()),
        "",
        "| what | result |",
        "| --- | --- |",
        f"| recogniser's first load | {float(str(result['first_load_s'])):.2f} s |",
        f"| search, median wall | {median:.2f} s |",
        f"| search, slowest wall | {float(str(result['worst_s'])):.2f} s |",
        f"| search, median CPU (all threads) | {float(str(result['cpu_median_s'])):.2f} s |",
        f"| query | “{QUERY}” |",
        f"| a withdrawal sharing a subject with it (“{PLANTED}”) | {_rank(result['rank'])} |",
        f"| a withdrawal sharing no word with it (“{UNSHARED}”) | "
        f"{_rank(result['unshared_rank'])} |",
        "",
        f"Target ≤ {TARGET_S:.0f} s: {'met' if median <= TARGET_S else 'NOT met'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench search")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    days = round(args.years * 365.25)
    set_keys([Fernet.generate_key().decode("ascii")])
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/search.db"
        upgrade_head(url)
        clinician_id, planted, unshared = asyncio.run(seed(url, days))
        result = asyncio.run(run(url, clinician_id, planted, unshared, args.runs))
    text = report(days, args.runs, result)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
    return 0 if float(str(result["median_s"])) <= TARGET_S and result["rank"] == 1 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
