"""Which concept cards an answer touches, by meaning: ranked scores and the few worth showing.

Each card carries example sentences in clinicians' own words and traps (sentences using its
trigger words in another sense). An answer is scored against every card by its closest
example (cosine of sentence vectors, 0–1), plus `NAMED_BONUS` when the answer names it
literally. A card is *shown* when its score reaches `SHOW_AT`, beats every trap's similarity
to the answer, and it is among the best `MOST_SHOWN`. Content editors tune recognition by
editing examples and traps and running `reflect-bot concepts evaluate`; the numbers here were
set on tests/data/concepts/labelled.jsonl (bench/results/RECOGNISER.md).

Pure and immutable once built: `recognise`, `excerpt`, `embed`, `embed_many` and
`rank_by_meaning` may be called from any number of threads at once. Building one embeds
every example (≈ 0.1 s), so build it once, off the event loop, on first use (see
`recognition_loader`).
"""

from __future__ import annotations

import heapq
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar

from reflect_bot.domain.excerpts import EXCERPT_CHARS, excerpt_at, sentences
from reflect_bot.domain.mentions import ConceptMatcher
from reflect_bot.domain.word_vectors import Vector

__all__ = [
    "EXCERPT_CHARS",
    "MIN_WORDS",
    "MOST_SHOWN",
    "NAMED_BONUS",
    "SHOW_AT",
    "ConceptRecogniser",
    "ConceptScore",
    "Embedder",
    "ExampleCard",
    "Recognition",
    "is_zero",
    "rank_by_meaning",
    "similarity",
]

#: The least score for a card to be shown. On the labelled set (then 204 lines) 0.45 / 0.5 /
#: 0.55 gave 82 / 91 / 96 % of shown suggestions correct and a correct suggestion for 63 / 58 /
#: 53 % of the texts with concepts: 0.5 offers more while keeping a margin over the 80 % target.
SHOW_AT = 0.5
#: Added to a card's score when the answer names it (its name or a synonym, as whole words):
#: literal mentions rank high, while a trap still vetoes a word used in another sense. On the
#: labelled set (then 204 lines) 0 / 0.05 / 0.1 / 0.15 put 62 / 83 / 92 / 100 % of literal
#: mentions in the top 3, with 100 / 100 / 99 / 99 % of shown suggestions correct. 0.1, not
#: 0.15: the bonus also lifts a trigger word used in another sense towards its traps' veto.
NAMED_BONUS = 0.1
#: At most this many cards are shown for one answer.
MOST_SHOWN = 2
#: Answers shorter than this ("no", "not really") carry too little to suggest anything.
MIN_WORDS = 3

_Key = TypeVar("_Key")


class Embedder(Protocol):
    """Text → unit sentence vector (a `WordVectors` is one)."""

    def embed(self, text: str) -> Vector: ...
    def embed_many(self, texts: Iterable[str]) -> list[Vector]: ...


class ExampleCard(Protocol):
    """What recognition reads of a concept card (a catalog `Concept` has all of it)."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def synonyms(self) -> Sequence[str]: ...
    @property
    def examples(self) -> Sequence[str]: ...
    @property
    def traps(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class ConceptScore:
    """One card's score for an answer: 0 (unrelated) to 1 (says the same as an example)."""

    slug: str
    score: float
    shown: bool


@dataclass(frozen=True, slots=True)
class Recognition:
    """Every card with examples, best first; `shown` are those confident enough to offer."""

    ranked: tuple[ConceptScore, ...]

    @property
    def shown(self) -> tuple[str, ...]:
        return tuple(score.slug for score in self.ranked if score.shown)

    def top(self, count: int) -> tuple[str, ...]:
        return tuple(score.slug for score in self.ranked[:count])


def similarity(first: Vector, second: Vector) -> float:
    """Cosine similarity of two unit vectors (not of a zero vector: see `is_zero`).

    For unit vectors |a − b|² = 2 − 2·cos, and `math.dist` runs in C: 4× faster than
    summing the products in Python, which is most of the cost of recognising an answer.
    """
    return 1.0 - math.dist(first, second) ** 2 / 2


def _closest(vector: Vector, others: Sequence[Vector]) -> float:
    """The greatest `similarity` of `vector` to any of `others` (0.0 for none): the
    nearest by distance, found by `min` over `math.dist` without a Python-level loop."""
    if not others:
        return 0.0
    return 1.0 - min(map(partial(math.dist, vector), others)) ** 2 / 2


def is_zero(vector: Vector) -> bool:
    """A text with no known token embeds to zeros: it resembles nothing."""
    return not any(vector)


class ConceptRecogniser:
    """Scores answers against the example sentences of concept cards."""

    def __init__(
        self,
        embedder: Embedder,
        cards: Iterable[ExampleCard],
        *,
        show_at: float = SHOW_AT,
        most_shown: int = MOST_SHOWN,
        named_bonus: float = NAMED_BONUS,
    ) -> None:
        self._embedder = embedder
        self._show_at = show_at
        self._most_shown = most_shown
        self._named_bonus = named_bonus
        cards = [card for card in cards if card.examples]
        self._matcher = ConceptMatcher(cards)
        examples: list[tuple[str, Vector]] = []
        traps: list[Vector] = []
        for card in cards:
            examples.extend((card.slug, embedder.embed(text)) for text in card.examples)
            traps.extend(embedder.embed(text) for text in card.traps)
        self._slugs = tuple(dict.fromkeys(slug for slug, _ in examples))
        # Each card's examples together (catalog order), so scoring one is a loop in C.
        self._examples = tuple(
            (slug, tuple(v for owner, v in examples if owner == slug and not is_zero(v)))
            for slug in self._slugs
        )
        self._traps = tuple(v for v in traps if not is_zero(v))

    @property
    def slugs(self) -> tuple[str, ...]:
        """The cards that can be recognised (those with examples), in catalog order."""
        return self._slugs

    def embed(self, text: str) -> Vector:
        """The text's sentence vector, for searching by meaning (`rank_by_meaning`)."""
        return self._embedder.embed(text)

    def embed_many(self, texts: Iterable[str]) -> list[Vector]:
        """`embed` for many texts at once (/search over a journal): faster than one by one."""
        return self._embedder.embed_many(texts)

    def recognise(self, text: str, question: str | None = None) -> Recognition:
        """Every recognisable card for one answer, best first, the confident ones shown.

        `question` (the question the answer replies to) is accepted but not scored: a short
        "no" to "Was there a rupture?" must not suggest the rupture card, and there are no
        labelled question–answer pairs yet to measure a blend on. Answers of fewer than
        `MIN_WORDS` words show nothing.
        """
        del question  # see the docstring: deliberately not scored yet
        vector = self._embedder.embed(text)
        if is_zero(vector):
            return Recognition(tuple(ConceptScore(slug, 0.0, False) for slug in self._slugs))
        best = {slug: max(0.0, _closest(vector, examples)) for slug, examples in self._examples}
        for slug in self._matcher.slugs(text):
            best[slug] += self._named_bonus
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        # Traps only decide what is shown, which needs SHOW_AT: skip them when nothing could be.
        trap = _closest(vector, self._traps) if ranked and ranked[0][1] >= self._show_at else 1.0
        long_enough = len(text.split()) >= MIN_WORDS
        scores = []
        for place, (slug, score) in enumerate(ranked):
            shown = (
                long_enough and place < self._most_shown and score >= self._show_at and score > trap
            )
            scores.append(ConceptScore(slug, round(min(max(score, 0.0), 1.0), 4), shown))
        return Recognition(tuple(scores))

    def excerpt(self, text: str, slug: str, *, max_chars: int = EXCERPT_CHARS) -> str:
        """The sentence of `text` that carries card `slug` best, cut to `max_chars` at a word.

        For the digest's "What you reflected on": the clinician's own words, not a summary.
        """
        return excerpt_at(text, self.carrying_sentence(text, slug), max_chars=max_chars)

    def carrying_sentence(self, text: str, slug: str) -> int:
        """Which of `sentences(text)` carries card `slug` best (0 for a single sentence).

        Stored instead of the words, so the excerpt is cut from the answer as it is when
        shown (an edited or replaced answer never leaves its old words behind).
        """
        split = sentences(text)
        examples = next((group for owner, group in self._examples if owner == slug), ())
        if len(split) < 2 or not examples:
            return 0
        scores = [
            -1.0
            if is_zero(vector)
            else _closest(vector, examples)
            + (self._named_bonus if slug in self._matcher.slugs(sentence) else 0.0)
            for sentence, vector in zip(split, self._embedder.embed_many(split), strict=True)
        ]
        return scores.index(max(scores))


def rank_by_meaning(
    query: Vector,
    candidates: Iterable[tuple[_Key, Vector]],
    *,
    limit: int = 10,
    at_least: float = 0.0,
) -> list[tuple[_Key, float]]:
    """The `limit` candidates most similar to `query`, best first, each at least `at_least`.

    For /search: embed the query and each answer (decrypted in memory) with the same
    `ConceptRecogniser.embed`, pass (key, vector) pairs, get the keys back with scores.
    """
    if is_zero(query):
        return []
    scored = (
        (key, score)
        for key, vector in candidates
        if not is_zero(vector) and (score := similarity(query, vector)) >= at_least
    )
    return heapq.nlargest(limit, scored, key=operator.itemgetter(1))
