"""The pure-Python tokenizer cuts text exactly as Llama 2's tokenizer does (which wordllama's
vectors were trained on), so the shipped int8 table gives wordllama's sentence vectors."""

import json
from importlib.util import find_spec
from pathlib import Path

import pytest

from reflect_bot.catalog import default_prompts_dir, load_catalog
from reflect_bot.domain.word_vectors import WordVectors

DATA = Path(__file__).resolve().parents[1] / "data" / "concepts"


def _wordllama_tokenizer_file() -> Path:
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("wordllama (a dev dependency) is not installed")
    return (
        Path(spec.submodule_search_locations[0])
        / "tokenizers"
        / "l2_supercat_tokenizer_config.json"
    )


def test_tokens_match_the_tokenizers_library_on_every_project_text() -> None:
    tokenizers = pytest.importorskip("tokenizers")
    reference = tokenizers.Tokenizer.from_file(str(_wordllama_tokenizer_file()))
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    cards = load_catalog(default_prompts_dir()).concepts.values()
    texts += [text for card in cards for text in (*card.examples, *card.traps)]
    vectors = WordVectors.load()
    special = {"<s>", "</s>"}
    differ = [
        text
        for text in texts
        if vectors.tokens(text) != [t for t in reference.encode(text).tokens if t not in special]
    ]
    assert len(texts) > 600
    assert differ == []


def test_a_table_that_is_not_one_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "vectors.bin"
    bogus.write_bytes(b"not a table")
    with pytest.raises(ValueError, match="not a word-vector table"):
        WordVectors.load(bogus)
