"""Concepts by meaning in a reflection and its digest: a paraphrase carries its card with the
sentence that carried it, a trap carries nothing, and the clinician's keep / remove wins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog
from reflect_bot.domain.digest import (
    DoneReflection,
    History,
    IsoWeek,
    WeekActivity,
    WeeklyDigest,
    WrittenAnswer,
    build_digest,
)
from reflect_bot.domain.recognition import ConceptRecogniser
from reflect_bot.domain.suggestions import CarriedConcept, carried_by, suggested_concepts
from reflect_bot.domain.timezones import resolve
from reflect_bot.recognition_loader import build_recogniser

WEEK = IsoWeek(2026, 45)
UTC_ZONE = resolve("UTC")
RUPTURE = "rupture-and-repair"
SENTENCE = "She went quiet and kept saying 'fine, whatever' after I pushed the homework."
PARAPHRASE = f"We started with some small talk about the weather. {SENTENCE}"
TRAP = "The data projector broke in the middle of the group session."


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_prompts_dir())


@pytest.fixture(scope="module")
def recogniser(catalog: Catalog) -> ConceptRecogniser:
    return build_recogniser(catalog)


def _digest(catalog: Catalog, text: str, cards: tuple[CarriedConcept, ...]) -> WeeklyDigest:
    # A program exercising no card, so every concept listed comes from the answer.
    done = DoneReflection(1, "no-such-program", "Notes", datetime(2026, 11, 3, tzinfo=UTC), 60)
    week = WeekActivity(
        week=WEEK,
        zone="UTC",
        reflections=(done,),
        answers=(WrittenAnswer(1, 3, text),),
        carried={1: cards},
    )
    return build_digest(week, History(), catalog, zone=UTC_ZONE, by_meaning=True)


def test_a_paraphrase_carries_its_card_from_the_sentence_that_says_it(
    recogniser: ConceptRecogniser,
) -> None:
    found = carried_by(recogniser, [(0, "No."), (3, PARAPHRASE)])
    assert found[0].slug == RUPTURE
    assert (found[0].position, found[0].sentence) == (3, 1)
    assert suggested_concepts(found)[0] == RUPTURE


def test_a_trap_carries_nothing(recogniser: ConceptRecogniser) -> None:
    assert carried_by(recogniser, [(0, TRAP)]) == ()


def test_the_digest_quotes_the_carrying_sentence_of_the_answer_as_it_is(
    catalog: Catalog,
) -> None:
    digest = _digest(catalog, PARAPHRASE, (CarriedConcept(RUPTURE, None, 3, 1),))
    touched = {c.slug: c for c in digest.concepts}
    assert touched[RUPTURE].excerpt == SENTENCE
    # Edited since to one sentence: the excerpt comes from the text as it stands.
    edited = _digest(catalog, "She withdrew.", (CarriedConcept(RUPTURE, None, 3, 1),))
    assert {c.slug: c.excerpt for c in edited.concepts}[RUPTURE] == "She withdrew."


def test_a_removed_card_is_left_out_and_a_kept_one_counts(catalog: Catalog) -> None:
    removed = _digest(catalog, PARAPHRASE, (CarriedConcept(RUPTURE, False, 3, 1),))
    assert RUPTURE not in {c.slug for c in removed.concepts}
    kept = _digest(catalog, PARAPHRASE, (CarriedConcept(RUPTURE, True, 3, 1),))
    assert RUPTURE in {c.slug for c in kept.concepts}


def test_by_meaning_a_trap_word_names_nothing(catalog: Catalog) -> None:
    """Word for word, "data" names collaborative empiricism; by meaning it names nothing."""
    assert _digest(catalog, TRAP, ()).concepts == ()
