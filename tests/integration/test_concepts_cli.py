"""`reflect-bot concepts suggest | evaluate` as a content editor runs them: fresh processes,
no token, no database, no keys."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "concepts" / "labelled.jsonl"

pytestmark = pytest.mark.slow


def _run(*args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    return subprocess.run(
        [sys.executable, "-m", "reflect_bot", *args],
        input=stdin,
        env=clean,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_suggest_answers_each_line_in_order_best_first(tmp_path: Path) -> None:
    lines = [
        {"text": "She went quiet and kept saying 'fine, whatever' after I pushed the homework."},
        {"text": "The data projector broke.", "question": "What happened in the session?"},
        {"text": "Once I said out loud that he seemed furious, his shoulders dropped."},
    ]
    result = _run(
        "concepts", "suggest", stdin="".join(json.dumps(x) + "\n" for x in lines), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 3
    for answer in answers:
        concepts = answer["concepts"]
        assert set(concepts[0]) == {"slug", "score", "shown"}
        scores = [c["score"] for c in concepts]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)
    shown = [[c["slug"] for c in a["concepts"] if c["shown"]] for a in answers]
    assert [slugs[:1] for slugs in shown] == [["rupture-and-repair"], [], ["affect-labeling"]]
    assert not (tmp_path / "data").exists(), "no database or key file was made"


def test_suggest_reports_a_bad_line_without_echoing_it_and_goes_on(tmp_path: Path) -> None:
    stdin = 'my client hates me\n{"text": "He kept testing whether I would still be here."}\n'
    result = _run("concepts", "suggest", stdin=stdin, cwd=tmp_path)
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert "error" in first
    assert second["concepts"]
    assert "line 1" in result.stderr and "hates" not in result.stderr


def test_evaluate_prints_the_figures_and_whether_targets_are_met(tmp_path: Path) -> None:
    result = _run("concepts", "evaluate", str(LABELLED), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "primary concept in the top 3:" in result.stdout
    assert "shown suggestions correct:" in result.stdout
    assert "no-concept texts, nothing shown:" in result.stdout
    assert "rupture-and-repair" in result.stdout  # per concept
    assert result.stdout.rstrip().endswith("targets met")
    figures = json.loads(_run("concepts", "evaluate", "--json", str(LABELLED), cwd=tmp_path).stdout)
    assert figures["texts"] == len(LABELLED.read_text().splitlines())
    assert figures["meets_targets"] is True


def test_evaluate_refuses_an_unknown_slug(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    labelled.write_text('{"text": "We fell out over the fees.", "concepts": ["no-such-card"]}\n')
    result = _run("concepts", "evaluate", str(labelled), cwd=tmp_path)
    assert result.returncode == 2
    assert "no-such-card" in result.stderr


def test_the_cli_loads_no_recogniser_until_asked(tmp_path: Path) -> None:
    probe = (
        "import sys, reflect_bot.cli, reflect_bot.app\n"
        "print(sorted(m for m in sys.modules if 'recogni' in m or 'word_vectors' in m))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    # The loader itself is imported (the bot builds its LazyRecogniser at start-up), but it
    # holds nothing and imports the recogniser's code only when first asked.
    assert result.stdout.strip() == "['reflect_bot.recognition_loader']"
