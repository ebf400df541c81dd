"""The concept recogniser finds what clinicians mean, not only the words they use.

Run against the project's real cards and word-vector table: the targets of issue 17 hold on
the labelled set it was tuned on and on the held-out set written before any tuning.
"""

import math
import threading
from pathlib import Path

import pytest

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog
from reflect_bot.domain.recognition import ConceptRecogniser, rank_by_meaning
from reflect_bot.domain.recognition_evaluation import (
    TARGET_NOTHING_SHOWN,
    TARGET_PRECISION,
    TARGET_TOP3,
    evaluate,
    read_labelled,
)
from reflect_bot.domain.word_vectors import WordVectors
from reflect_bot.recognition_loader import LazyRecogniser, build_recogniser

DATA = Path(__file__).resolve().parents[1] / "data" / "concepts"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


@pytest.fixture(scope="module")
def recogniser(catalog: Catalog) -> ConceptRecogniser:
    return build_recogniser(catalog)


@pytest.mark.parametrize("name", ["labelled.jsonl", "heldout.jsonl"])
def test_the_targets_hold_on_the_projects_sets(recogniser: ConceptRecogniser, name: str) -> None:
    labelled = read_labelled(DATA / name)
    figures = evaluate(labelled, recogniser.recognise)
    paraphrases = figures.top3_by_kind["paraphrase"]
    assert paraphrases.total >= 30 and paraphrases.value is not None
    assert paraphrases.value >= TARGET_TOP3, figures.report()
    assert figures.precision.total >= 15 and figures.precision.value is not None
    assert figures.precision.value >= TARGET_PRECISION, figures.report()
    assert figures.nothing_shown.total >= 19 and figures.nothing_shown.value is not None
    assert figures.nothing_shown.value >= TARGET_NOTHING_SHOWN, figures.report()


def test_terse_notes_are_recognised_less_often_but_still_precisely(
    recogniser: ConceptRecogniser,
) -> None:
    """The second held-out set, terse clinical notes, is harder: 81 % in the top 3 when
    measured, under the 85 % target (bench/results/RECOGNISER.md); what is shown stays right."""
    figures = evaluate(read_labelled(DATA / "heldout-notes.jsonl"), recogniser.recognise)
    top3 = figures.top3_by_kind["paraphrase"].value
    assert top3 is not None and top3 >= 0.75, figures.report()
    assert figures.precision.value is not None, figures.report()
    assert figures.precision.value >= TARGET_PRECISION, figures.report()
    assert figures.nothing_shown.value == 1.0, figures.report()


def test_the_labelled_set_is_large_and_mixed() -> None:
    labelled = read_labelled(DATA / "labelled.jsonl")
    kinds = {line.kind for line in labelled}
    assert len(labelled) >= 200
    assert kinds == {"paraphrase", "literal", "none", "trap"}


@pytest.mark.parametrize(
    ("answer", "slug"),
    [
        (
            "My client went quiet and just said 'fine, whatever' when I pushed the task.",
            "rupture-and-repair",
        ),
        ("When I named how furious he looked, his shoulders dropped.", "affect-labeling"),
        ("He treats me like the father who was never pleased with him.", "transference"),
    ],
)
def test_a_paraphrase_is_suggested(recogniser: ConceptRecogniser, answer: str, slug: str) -> None:
    recognition = recogniser.recognise(answer)
    assert recognition.ranked[0].slug == slug
    assert recognition.shown[:1] == (slug,)


@pytest.mark.parametrize(
    "answer",
    [
        "The data projector broke during the team meeting.",
        "The building felt safe after the new lock went on.",
        "I need to structure my week so I can leave on time.",
    ],
)
def test_a_trigger_word_in_another_sense_suggests_nothing(
    recogniser: ConceptRecogniser, answer: str
) -> None:
    assert recogniser.recognise(answer).shown == ()


def test_scores_run_from_zero_to_one_best_first_over_every_card(
    recogniser: ConceptRecogniser, catalog: Catalog
) -> None:
    ranked = recogniser.recognise("I felt for her when she cried about her son.").ranked
    assert [score.slug for score in ranked] != []
    assert {score.slug for score in ranked} == set(catalog.concepts)
    scores = [score.score for score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)


def test_a_short_answer_suggests_nothing_whatever_the_question(
    recogniser: ConceptRecogniser,
) -> None:
    recognition = recogniser.recognise("no rupture", "Was there a rupture in the session?")
    assert recognition.shown == ()


def test_an_empty_answer_scores_zero(recogniser: ConceptRecogniser) -> None:
    recognition = recogniser.recognise("   ")
    assert recognition.shown == ()
    assert {score.score for score in recognition.ranked} == {0.0}


def test_text_is_cut_into_llama_tokens_by_merge_order() -> None:
    vectors = WordVectors.load()
    assert vectors.tokens("she went quiet") == ["▁she", "▁went", "▁quiet"]
    # A word the vocabulary lacks is built from pieces, as Llama 2's tokenizer does.
    assert "".join(vectors.tokens("countertransference")) == "▁countertransference"
    assert len(vectors.tokens("countertransference")) > 1
    vector = vectors.embed("she went quiet")
    assert len(vector) == vectors.dims == 256
    assert abs(sum(v * v for v in vector) - 1.0) < 1e-9


def test_the_excerpt_is_the_clinicians_sentence_that_carried_the_card(
    recogniser: ConceptRecogniser,
) -> None:
    answer = (
        "We started late because the room was double-booked. "
        "When I suggested the diary again she went quiet and just said 'whatever'. "
        "Next week we review her medication."
    )
    assert "rupture-and-repair" in recogniser.recognise(answer).top(3)
    assert recogniser.excerpt(answer, "rupture-and-repair") == (
        "When I suggested the diary again she went quiet and just said 'whatever'."
    )
    long_answer = "I kept thinking about how lonely he must feel, " * 6
    excerpt = recogniser.excerpt(long_answer, "empathy", max_chars=60)
    assert len(excerpt) <= 60 and excerpt.endswith("…")
    assert long_answer.startswith(excerpt.removesuffix("…"))


def test_embedding_many_texts_at_once_gives_the_same_vectors() -> None:
    vectors = WordVectors.load()
    texts = [line.text for line in read_labelled(DATA / "heldout.jsonl")] + ["", "✨ ✨"]
    assert vectors.embed_many(texts) == [vectors.embed(text) for text in texts]


def test_a_sentence_vector_is_the_normalised_sum_of_its_token_rows() -> None:
    # Six dimensions (not a multiple of the four packed lane groups), int8 extremes.
    # Single characters first merge into "▁a" and "▁b", as byte-pair merging does.
    rows = {"▁a": (-128, 127, 0, 1, -1, 5), "▁b": (3, -4, 127, -128, 0, 2)}
    rows |= {char: (1,) * 6 for char in ("▁", "a", "b")}
    table = b"".join(bytes(value & 0xFF for value in row) for row in rows.values())
    vectors = WordVectors(list(rows), table, 6)

    def expected(*tokens: str) -> tuple[float, ...]:
        sums = [sum(rows[token][d] for token in tokens) for d in range(6)]
        norm = math.hypot(*sums)
        return tuple(value / norm for value in sums)

    assert vectors.embed("a b a") == pytest.approx(expected("▁a", "▁b", "▁a"))
    assert vectors.embed("b " * 5000) == pytest.approx(expected("▁b"))  # no lane overflows
    assert vectors.embed("zzz") == pytest.approx(expected("▁"))  # unknown characters dropped
    assert vectors.embed("") == (0.0,) * 6


def test_search_ranks_a_paraphrase_first(recogniser: ConceptRecogniser) -> None:
    reflections = {
        "monday": "Went over the sleep diary and his new shift pattern.",
        "tuesday": "She stormed out ten minutes early after I questioned her story.",
        "wednesday": "Room booking mix-up, we started late.",
        "thursday": "He said the sessions feel like the one safe place he has.",
    }
    found = rank_by_meaning(
        recogniser.embed("the client walked out angry"),
        zip(reflections, recogniser.embed_many(reflections.values()), strict=True),
        limit=2,
    )
    assert found[0][0] == "tuesday"
    assert len(found) == 2 and found[0][1] >= found[1][1]


def test_the_lazy_holder_builds_one_recogniser_on_first_use(catalog: Catalog) -> None:
    lazy = LazyRecogniser(catalog)
    assert not lazy.loaded
    got: list[ConceptRecogniser] = []
    threads = [threading.Thread(target=lambda: got.append(lazy.get())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lazy.loaded
    assert len(got) == 4 and all(r is got[0] for r in got)
