"""Concepts: the concept recogniser and the candidates it was chosen from (issue 17).

Every candidate runs in a fresh interpreter that first loads the catalog (the bot has it
already), then measures:

  import+load   wall time to import the candidate and build it over the cards' examples
  RSS added     VmRSS after loading and one answer, minus VmRSS before the import
  figures       on tests/data/concepts/labelled.jsonl (tuned on) and heldout.jsonl (never):
                paraphrases with their concept in the top 3, shown suggestions correct,
                no-concept texts with nothing shown
  per answer    p50 / p99 over the labelled texts three times, wall clock and CPU time of
                the thread (wall includes waiting for a core on this shared machine)

Candidates: `chosen` (reflect_bot.domain.recognition over the int8 word-vector table, pure
Python), `numpy` (the same scoring over wordllama's float16 weights with numpy and the
`tokenizers` library), `wordllama` (wordllama's own package), `rapidfuzz` (lexical
similarity to the same examples), `phrases` (the cards' names and synonyms only). The
chosen recogniser also ranks 5 years of daily reflections for /search.

    python -m bench concepts [--only NAME ...] [--repeat 3]

Targets: ≤ 5 ms p99 per answer; ≤ 20 MB RSS added; top 3 ≥ 85 %, shown correct ≥ 80 %,
nothing shown ≥ 90 %; /search over 5 years ≤ 1 s.
Results: bench/results/CONCEPTS.md (the choice is argued in bench/results/RECOGNISER.md).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from bench._machine import machine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # `python bench/concepts_recogniser.py` from a checkout
    sys.path.insert(0, str(ROOT / "src"))

RESULTS = ROOT / "bench" / "results" / "CONCEPTS.md"
DATA = ROOT / "tests" / "data" / "concepts"
SETS = ("labelled", "heldout", "heldout-notes")
CANDIDATES = ("chosen", "numpy", "wordllama", "rapidfuzz", "phrases")
SEARCH_REFLECTIONS = 1826  # five years of daily reflections
SEARCH_ANSWERS_EACH = 3


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --------------------------------------------------------------------------- candidates
# Each builder returns recognise(text, question) -> Recognition, with the same rule as the
# chosen recogniser: best example per card, +NAMED_BONUS when named, shown when ≥ show_at,
# above every trap, among the best MOST_SHOWN.


def _numpy_recogniser(embed_matrix: Callable[[list[str]], Any], show_at: float) -> Any:
    import numpy as np

    from reflect_bot.catalog import default_prompts_dir, load_catalog
    from reflect_bot.domain.mentions import ConceptMatcher
    from reflect_bot.domain.recognition import (
        MIN_WORDS,
        MOST_SHOWN,
        NAMED_BONUS,
        ConceptScore,
        Recognition,
    )

    cards = list(load_catalog(default_prompts_dir()).concepts.values())
    slugs = [card.slug for card in cards]
    owner = np.array([slugs.index(c.slug) for c in cards for _ in c.examples])
    examples = embed_matrix([text for card in cards for text in card.examples])
    traps = embed_matrix([text for card in cards for text in card.traps])
    matcher = ConceptMatcher(cards)

    def recognise(text: str, question: str | None = None) -> Recognition:
        vector = embed_matrix([text])[0]
        best = np.zeros(len(slugs))
        np.maximum.at(best, owner, examples @ vector)
        for slug in matcher.slugs(text):
            best[slugs.index(slug)] += NAMED_BONUS
        trap = float((traps @ vector).max())
        order = np.argsort(-best)
        long_enough = len(text.split()) >= MIN_WORDS
        return Recognition(
            tuple(
                ConceptScore(
                    slugs[i],
                    float(min(max(best[i], 0.0), 1.0)),
                    bool(long_enough and place < MOST_SHOWN and show_at <= best[i] > trap),
                )
                for place, i in enumerate(order)
            )
        )

    return recognise


def _wordllama_files() -> Path:
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordllama")
    return Path(spec.submodule_search_locations[0])


def build(name: str) -> Callable[[str, str | None], Any]:
    from reflect_bot.domain.recognition import SHOW_AT

    if name == "chosen":
        from reflect_bot.catalog import default_prompts_dir, load_catalog
        from reflect_bot.recognition_loader import build_recogniser

        return build_recogniser(load_catalog(default_prompts_dir())).recognise
    if name == "numpy":
        import numpy as np
        import tokenizers
        from safetensors.numpy import load_file

        root = _wordllama_files()
        table = load_file(str(root / "weights" / "l2_supercat_256.safetensors"))
        weights = table["embedding.weight"]
        tokenizer = tokenizers.Tokenizer.from_file(
            str(root / "tokenizers" / "l2_supercat_tokenizer_config.json")
        )

        def embed_numpy(texts: list[str]) -> Any:
            rows = []
            for text in texts:
                ids = [i for i in tokenizer.encode(text).ids if i > 2] or [0]
                vector = weights[ids].astype(np.float32).mean(axis=0)
                rows.append(vector / (np.linalg.norm(vector) or 1.0))
            return np.array(rows)

        return _numpy_recogniser(embed_numpy, SHOW_AT)  # type: ignore[no-any-return]
    if name == "wordllama":
        import numpy as np
        from wordllama import WordLlama

        # Its own lookup misses the tokenizer it bundles and downloads it: give it a cache.
        cache = Path(tempfile.mkdtemp())
        for folder in ("tokenizer", "tokenizers"):
            (cache / folder).mkdir()
            shutil.copy(
                _wordllama_files() / "tokenizers" / "l2_supercat_tokenizer_config.json",
                cache / folder,
            )
        model = WordLlama.load(cache_dir=cache, disable_download=True)

        def embed_wordllama(texts: list[str]) -> Any:
            return np.asarray(model.embed(texts, norm=True))

        return _numpy_recogniser(embed_wordllama, SHOW_AT)  # type: ignore[no-any-return]
    if name == "rapidfuzz":
        from rapidfuzz import fuzz

        return _lexical(fuzz.token_set_ratio)
    if name == "phrases":
        return _phrases()
    raise ValueError(name)


def _lexical(ratio: Callable[[str, str], float]) -> Callable[[str, str | None], Any]:
    from reflect_bot.catalog import default_prompts_dir, load_catalog
    from reflect_bot.domain.mentions import ConceptMatcher
    from reflect_bot.domain.recognition import (
        MIN_WORDS,
        MOST_SHOWN,
        NAMED_BONUS,
        ConceptScore,
        Recognition,
    )

    cards = list(load_catalog(default_prompts_dir()).concepts.values())
    matcher = ConceptMatcher(cards)
    show_at = 0.6  # token-set ratios run higher than cosines; the best of 0.5–0.8 on labelled

    def recognise(text: str, question: str | None = None) -> Recognition:
        best = {c.slug: max(ratio(text, e) for e in c.examples) / 100 for c in cards}
        for slug in matcher.slugs(text):
            best[slug] += NAMED_BONUS
        trap = max(ratio(text, t) / 100 for c in cards for t in c.traps)
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        long_enough = len(text.split()) >= MIN_WORDS
        return Recognition(
            tuple(
                ConceptScore(
                    slug,
                    min(score, 1.0),
                    long_enough and place < MOST_SHOWN and show_at <= score > trap,
                )
                for place, (slug, score) in enumerate(ranked)
            )
        )

    return recognise


def _phrases() -> Callable[[str, str | None], Any]:
    from reflect_bot.catalog import default_prompts_dir, load_catalog
    from reflect_bot.domain.mentions import ConceptMatcher
    from reflect_bot.domain.recognition import ConceptScore, Recognition

    cards = list(load_catalog(default_prompts_dir()).concepts.values())
    matcher = ConceptMatcher(cards)

    def recognise(text: str, question: str | None = None) -> Recognition:
        named = matcher.slugs(text)
        ranked = sorted(cards, key=lambda card: card.slug not in named)
        return Recognition(
            tuple(ConceptScore(c.slug, float(c.slug in named), c.slug in named) for c in ranked)
        )

    return recognise


# --------------------------------------------------------------------------- one candidate


def measure(name: str, repeat: int) -> dict[str, Any]:
    """Runs in a fresh interpreter: cost and figures of one candidate."""
    from reflect_bot.catalog import default_prompts_dir, load_catalog
    from reflect_bot.domain.recognition_evaluation import evaluate, read_labelled

    load_catalog(default_prompts_dir())  # the bot has its catalog already
    before = rss_mb()
    started = time.perf_counter()
    recognise = build(name)
    recognise("I noticed she went quiet after I pushed the homework.", None)
    loaded = time.perf_counter() - started
    added = rss_mb() - before
    result: dict[str, Any] = {"name": name, "load_s": loaded, "rss_added_mb": added}
    for set_name in SETS:
        figures = evaluate(read_labelled(DATA / f"{set_name}.jsonl"), recognise)
        result[set_name] = figures.as_dict()
    texts = [line.text for line in read_labelled(DATA / "labelled.jsonl")]
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        for text in texts:
            w, c = time.perf_counter(), time.thread_time()
            recognise(text, None)
            cpu.append(time.thread_time() - c)
            wall.append(time.perf_counter() - w)
    result["wall_ms"] = [1000 * percentile(wall, 0.5), 1000 * percentile(wall, 0.99)]
    result["cpu_ms"] = [1000 * percentile(cpu, 0.5), 1000 * percentile(cpu, 0.99)]
    result["rss_after_mb"] = rss_mb() - before
    if name == "chosen":
        result["search"] = search(texts)
    return result


def search(texts: list[str]) -> dict[str, float]:
    """/search over five years of daily reflections: embed every answer, rank, best 10."""
    from reflect_bot.catalog import default_prompts_dir, load_catalog
    from reflect_bot.domain.recognition import rank_by_meaning
    from reflect_bot.recognition_loader import build_recogniser

    recogniser = build_recogniser(load_catalog(default_prompts_dir()))
    rng = random.Random(17)
    answers = [rng.choice(texts) for _ in range(SEARCH_REFLECTIONS * SEARCH_ANSWERS_EACH)]
    started = time.perf_counter()
    vectors = list(enumerate(recogniser.embed_many(answers)))
    embedded = time.perf_counter() - started
    query = recogniser.embed("my client walked out angry")
    started = time.perf_counter()
    rank_by_meaning(query, vectors, limit=10)
    ranked = time.perf_counter() - started
    return {"answers": len(answers), "embed_s": embedded, "rank_s": ranked}


def _child(name: str, repeat: int) -> dict[str, Any] | str:
    command = [
        sys.executable,
        "-m",
        "bench.concepts_recogniser",
        "--child",
        name,
        "--repeat",
        str(repeat),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return last
    parsed: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


# --------------------------------------------------------------------------- report


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _figures(figures: dict[str, Any]) -> str:
    top3 = figures["top3_by_kind"].get("paraphrase", figures["top3"])
    return (
        f"{_pct(top3)} / {_pct(figures['precision'])} ({figures['shown']}) / "
        f"{_pct(figures['nothing_shown'])}"
    )


def report(results: dict[str, dict[str, Any] | str], host: dict[str, str], repeat: int) -> str:
    from reflect_bot.domain.recognition_evaluation import read_labelled

    lines = [
        "# Concepts — the concept recogniser and its candidates",
        "",
        "Each candidate in a fresh interpreter with the catalog already loaded. Figures: "
        "paraphrases with the labelled concept in the top 3 / shown suggestions correct "
        "(how many shown) / no-concept texts with nothing shown. Per answer: p50 / p99 over "
        f"the {len(read_labelled(DATA / 'labelled.jsonl'))} labelled texts × {repeat}; wall "
        "time includes waiting for a core on the shared machine (load average below).",
        "",
        "| candidate | labelled (tuned on) | held-out (never tuned on) | held-out, terse notes | "
        "per answer, wall | per answer, CPU | import + load | RSS added |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        if isinstance(result, str):
            lines.append(f"| {name} | not measured: {result} | | | | | | |")
            continue
        lines.append(
            f"| {name} | {_figures(result['labelled'])} | {_figures(result['heldout'])} | "
            f"{_figures(result['heldout-notes'])} | "
            f"{result['wall_ms'][0]:.2f} / {result['wall_ms'][1]:.2f} ms | "
            f"{result['cpu_ms'][0]:.2f} / {result['cpu_ms'][1]:.2f} ms | "
            f"{result['load_s'] * 1000:.0f} ms | {result['rss_added_mb']:.1f} MB |"
        )
    chosen = results.get("chosen")
    if isinstance(chosen, dict):
        found = chosen["search"]
        lines += [
            "",
            f"/search, chosen recogniser: {found['answers']:,} answers (5 years of daily "
            f"reflections × {SEARCH_ANSWERS_EACH}) embedded in {found['embed_s']:.2f} s, "
            f"ranked in {found['rank_s'] * 1000:.0f} ms (target ≤ 1 s in all).",
            "",
            f"Chosen recogniser, suggestions offered: a correct one for "
            f"{_pct(chosen['labelled']['suggested'])} of the labelled texts with concepts and "
            f"{_pct(chosen['heldout']['suggested'])} of the held-out ones "
            f"({_pct(chosen['heldout-notes']['suggested'])} of the terse notes).",
        ]
    lines += ["", "Run: `python -m bench concepts`", "", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in host.items()]
    lscpu = shutil.which("lscpu")
    if lscpu:
        described = subprocess.run([lscpu], capture_output=True, text=True, check=False).stdout
        lines += ["", "`lscpu | head`:", "", "```", *described.splitlines()[:10], "```"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench concepts")
    parser.add_argument("--only", nargs="*", choices=CANDIDATES, default=list(CANDIDATES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=CANDIDATES, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.repeat)))
        return 0
    results: dict[str, dict[str, Any] | str] = {}
    for name in args.only:
        print(f"-- {name}", flush=True)
        results[name] = _child(name, args.repeat)
        print(json.dumps(results[name])[:400], flush=True)
    host = machine()
    host["load average at the end"] = host.pop("load average (1, 5, 15 min)")
    text = report(results, host, args.repeat)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    chosen = results.get("chosen")
    if not isinstance(chosen, dict):
        return 1
    met = (
        chosen["labelled"]["meets_targets"]
        and chosen["heldout"]["meets_targets"]
        and chosen["rss_added_mb"] <= 20
    )
    print(f"targets {'met' if met else 'NOT met'} (p99 is judged on CPU time: see the notes)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
