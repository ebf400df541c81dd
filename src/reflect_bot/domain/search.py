"""/search: one's own reflections ranked by meaning against a few words.

Every written answer is embedded in memory (decrypted, never indexed at rest) with the
recogniser's sentence vectors; each reflection counts by its answer closest to the query,
and shows the sentence of that answer closest to it. Pure: run it off the event loop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from reflect_bot.domain.excerpts import sentences, shorten

# The recogniser and its vectors load on first use (recognition_loader), not with /search's
# handler at start-up: a sentence vector is a tuple of floats, of unit length or all zeros.
Vector = tuple[float, ...]

__all__ = ["AT_LEAST", "MOST_FOUND", "Embeds", "Found", "WrittenAnswer", "search"]

#: At most this many reflections are shown for one search.
MOST_FOUND = 8
#: Reflections less similar than this to the query are not shown at all. Unrelated pairs of
#: the labelled set's sentences score up to ≈ 0.27 against a short query, a shared subject
#: ("she went quiet", "shut down after the homework") 0.35–0.65: 0.25 hides only noise.
AT_LEAST = 0.25


class Embeds(Protocol):
    """Text → unit sentence vector (a `ConceptRecogniser` is one)."""

    def embed(self, text: str) -> Vector: ...
    def embed_many(self, texts: Iterable[str]) -> list[Vector]: ...


class WrittenAnswer(NamedTuple):
    """One written answer of the clinician's, decrypted, with its reflection."""

    reflection_id: int
    started_at: datetime
    program_title: str
    text: str


class Found(NamedTuple):
    """A reflection matching the search, with the sentence that matched best."""

    reflection_id: int
    started_at: datetime
    program_title: str
    excerpt: str
    score: float


def search(
    embedder: Embeds,
    query: str,
    answers: Sequence[WrittenAnswer],
    *,
    most: int = MOST_FOUND,
    at_least: float = AT_LEAST,
) -> list[Found]:
    """The reflections whose answers mean most nearly what `query` says, best first."""
    wanted = embedder.embed(query)
    if not any(wanted):  # no word of the query is known: it resembles nothing
        return []
    vectors = embedder.embed_many(answer.text for answer in answers)
    # Every answer scored, then the best answer of each reflection kept.
    scored = [
        (score, index)
        for index, vector in enumerate(vectors)
        if any(vector) and (score := _similarity(wanted, vector)) >= at_least
    ]
    scored.sort(key=lambda pair: -pair[0])
    ranked = [(index, score) for score, index in scored]
    found: list[Found] = []
    seen: set[int] = set()
    for index, score in ranked:
        answer = answers[index]
        if answer.reflection_id in seen:
            continue
        seen.add(answer.reflection_id)
        found.append(
            Found(
                answer.reflection_id,
                answer.started_at,
                answer.program_title,
                _closest_sentence(embedder, wanted, answer.text),
                score,
            )
        )
        if len(found) == most:
            break
    return found


def _similarity(first: Vector, second: Vector) -> float:
    # Cosine of unit vectors, as `recognition.similarity` computes it (|a − b|² = 2 − 2·cos).
    return 1.0 - math.dist(first, second) ** 2 / 2


def _closest_sentence(embedder: Embeds, wanted: Vector, text: str) -> str:
    split = sentences(text)
    if len(split) > 1:
        scores = [_similarity(wanted, vector) for vector in embedder.embed_many(split)]
        return shorten(split[scores.index(max(scores))])
    return shorten(split[0])
