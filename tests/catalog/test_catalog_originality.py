"""No sentence of the source documents is copied into prompts/ or the bot's own words.

Rule: no run of 12 or more consecutive words of either source document appears in
any text of prompts/ (every string value, and every comment), nor in any string of a
text module under src/reflect_bot/ui/ (texts.py and any module added there later).
Words are compared lower-cased, as `[a-z0-9']+` tokens, after mapping curly quotes to
straight ones.
"""

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

RUN = 12
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.translate(_QUOTES).lower())


def runs(tokens: list[str], size: int = RUN) -> Iterator[tuple[str, ...]]:
    for start in range(len(tokens) - size + 1):
        yield tuple(tokens[start : start + size])


def copied_runs(text: str, seed_runs: set[tuple[str, ...]]) -> list[str]:
    return [" ".join(run) for run in runs(words(text)) if run in seed_runs]


def strings_of(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item)


def prompt_texts(prompts_dir: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every string value and every comment under prompts/."""
    files = sorted(prompts_dir.rglob("*.toml"))
    assert files, f"no TOML files under {prompts_dir}"
    for path in files:
        raw = path.read_text(encoding="utf-8")
        name = path.relative_to(prompts_dir.parent).as_posix()
        for text in strings_of(tomllib.loads(raw)):
            yield name, text
        for number, line in enumerate(raw.splitlines(), start=1):
            if "#" in line and line.lstrip().startswith("#"):
                yield f"{name}:{number}", line.lstrip("# ")


UI_DIR = Path(__file__).resolve().parents[2] / "src" / "reflect_bot" / "ui"


def ui_texts(ui_dir: Path = UI_DIR) -> Iterator[tuple[str, str]]:
    """(where, text) for every string (and f-string's literal parts) of every ui module."""
    modules = sorted(ui_dir.rglob("*.py"))
    assert modules, f"no modules under {ui_dir}"
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        name = path.relative_to(ui_dir.parents[1]).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield f"{name}:{node.lineno}", node.value
            elif isinstance(node, ast.JoinedStr):
                literal = " ".join(
                    part.value
                    for part in node.values
                    if isinstance(part, ast.Constant) and isinstance(part.value, str)
                )
                yield f"{name}:{node.lineno}", literal


@pytest.fixture(scope="module")
def seed_runs(seeds: dict[str, str]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for text in seeds.values():
        found.update(runs(words(text)))
    return found


def test_the_check_catches_a_copied_sentence(
    seeds: dict[str, str], seed_runs: set[tuple[str, ...]]
) -> None:
    # 14 words from the middle of each source, upper-cased and wrapped in other
    # text, are still found; 11 words are allowed.
    for text in seeds.values():
        tokens = words(text)
        excerpt = " ".join(tokens[200:214])
        assert copied_runs(f"Zzz qqq: {excerpt.upper()}. Zzz qqq.", seed_runs)
        short = " ".join(tokens[200:211])
        assert not copied_runs(f"Zzz qqq: {short}. Zzz qqq.", seed_runs)


def test_curly_and_straight_quotes_compare_equal() -> None:
    assert words("the client’s view") == words("The client's view")


def test_no_twelve_word_run_of_a_source_appears_in_prompts(
    prompts_dir: Path, seed_runs: set[tuple[str, ...]]
) -> None:
    copies = [
        f"{where}: “{run}”"
        for where, text in prompt_texts(prompts_dir)
        for run in copied_runs(text, seed_runs)
    ]
    assert not copies, "copied from the sources:\n" + "\n".join(copies)


def test_no_twelve_word_run_of_a_source_appears_in_the_bots_texts(
    seed_runs: set[tuple[str, ...]],
) -> None:
    texts = list(ui_texts())
    assert any("texts.py" in where for where, _ in texts)
    copies = [f"{where}: “{run}”" for where, text in texts for run in copied_runs(text, seed_runs)]
    assert not copies, "copied from the sources:\n" + "\n".join(copies)


def test_the_ui_check_reads_every_module_and_catches_a_copy(
    tmp_path: Path, seeds: dict[str, str], seed_runs: set[tuple[str, ...]]
) -> None:
    """A future text module is read too, and a copied sentence in it is caught."""
    tokens = words(next(iter(seeds.values())))
    copied = " ".join(tokens[300:315])
    (tmp_path / "texts.py").write_text('HELLO = "Hello"\n', encoding="utf-8")
    nested = tmp_path / "more"
    nested.mkdir()
    (nested / "cards.py").write_text(
        f'CARD = f"{{0}} {copied}"\nOTHER = ("split " "{copied}")\n', encoding="utf-8"
    )
    found = [(where, text) for where, text in ui_texts(tmp_path) if copied_runs(text, seed_runs)]
    assert all("more/cards.py" in where for where, _ in found)
    assert {where.rsplit(":", 1)[1] for where, _ in found} == {"1", "2"}  # f-string, joined
