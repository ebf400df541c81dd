"""Example sentences and traps on concept cards are checked by `prompts check`.

Every card in prompts/ carries 5–10 examples for the concept recogniser; a card may carry
none (the recogniser then never suggests it), but never too few, too many, duplicates,
fragments, a trap that is also an example, or traps without examples.
"""

from pathlib import Path

import pytest

from reflect_bot.catalog import Catalog, check_catalog
from tests.catalog.test_catalog_problems import CONCEPTS, DEMO, SOURCES

FIVE = [
    "She went silent when I raised the fees.",
    "He told me the sessions feel pointless now.",
    "Something broke between us after the holiday.",
    "I owned my part in the misunderstanding today.",
    "We talked through last week's tension and it eased.",
]


def _catalog_with(tmp_path: Path, extra: str) -> list[str]:
    (tmp_path / "programs").mkdir()
    (tmp_path / "sources.toml").write_text(SOURCES)
    (tmp_path / "concepts.toml").write_text(CONCEPTS + extra)
    (tmp_path / "programs" / "demo.toml").write_text(DEMO)
    return [str(problem) for problem in check_catalog(tmp_path, needs=())]


def _toml_list(name: str, sentences: list[str]) -> str:
    return f"{name} = [" + ", ".join(f'"{s}"' for s in sentences) + "]\n"


def test_every_project_card_has_five_to_ten_examples(catalog: Catalog) -> None:
    for concept in catalog.concepts.values():
        assert 5 <= len(concept.examples) <= 10, concept.slug


def test_a_card_with_examples_and_traps_is_sound(tmp_path: Path) -> None:
    extra = _toml_list("examples", FIVE) + _toml_list("traps", ["The car is in for repair."])
    assert _catalog_with(tmp_path, extra) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            _toml_list("examples", FIVE[:3]),
            'field "examples": give 5–10 example sentences (there are 3)',
            id="too-few",
        ),
        pytest.param(
            _toml_list(
                "examples", [*FIVE, *(f"Another example sentence number {n}." for n in range(6))]
            ),
            'field "examples": give 5–10 example sentences (there are 11)',
            id="too-many",
        ),
        pytest.param(
            _toml_list("examples", [*FIVE[:4], FIVE[0]]),
            f'field "examples": duplicate example "{FIVE[0]}"',
            id="duplicate",
        ),
        pytest.param(
            _toml_list("examples", [*FIVE[:4], "Rupture today."]),
            'field "examples": example "Rupture today." is too short',
            id="fragment",
        ),
        pytest.param(
            _toml_list("examples", FIVE) + _toml_list("traps", [FIVE[1]]),
            f'field "traps": "{FIVE[1]}" is both an example and a trap',
            id="trap-is-example",
        ),
        pytest.param(
            _toml_list("traps", ["The car is in for repair."]),
            'field "traps": traps need example sentences beside them',
            id="traps-alone",
        ),
    ],
)
def test_bad_examples_are_reported_at_their_field(tmp_path: Path, extra: str, message: str) -> None:
    problems = _catalog_with(tmp_path, extra)
    assert len(problems) == 1, problems
    assert f'{tmp_path.name}/concepts.toml: concept "alpha" field ' in problems[0], problems
    assert message in problems[0], problems
