"""Which concept cards a finished reflection carried, by meaning, and which to suggest.

Each text answer is recognised on its own (`ConceptRecogniser.recognise`); a card shown for
any answer is *carried* by the reflection, with the answer and the sentence that carried it
best. That is worked out once, when the reflection is completed (≈ 0.6 ms of CPU per answer,
off the event loop), and stored as card slugs and numbers, never words: the digest and the
export then cut the excerpt from the answer as it stands, without recognising anything again
(10,000 digests could not afford it). The best `MOST_SUGGESTED` are offered to keep or remove.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from reflect_bot.domain.excerpts import excerpt_at

if TYPE_CHECKING:  # the recogniser itself loads on first use (recognition_loader)
    from reflect_bot.domain.recognition import Recognition

__all__ = [
    "MOST_SUGGESTED",
    "Carried",
    "CarriedConcept",
    "Recognises",
    "carried_by",
    "excerpt_of",
    "suggested_concepts",
]

#: At most this many cards are suggested at the end of one reflection (fits a phone screen).
MOST_SUGGESTED = 4


class Recognises(Protocol):
    """What this needs of a recogniser (a `ConceptRecogniser` is one)."""

    def recognise(self, text: str, question: str | None = None) -> Recognition: ...
    def carrying_sentence(self, text: str, slug: str) -> int: ...


class Carried(NamedTuple):
    """A card one of the reflection's answers carried, and where."""

    slug: str
    score: float
    position: int  # the answer's position in the reflection
    sentence: int  # which of its sentences (`recognition.sentences`)


class CarriedConcept(NamedTuple):
    """A card stored with a reflection: recognised (kept None), kept or removed."""

    slug: str
    kept: bool | None
    position: int
    sentence: int

    @property
    def counts(self) -> bool:
        """Recognised or kept: everything but a card the clinician removed."""
        return self.kept is not False


def carried_by(recogniser: Recognises, written: Iterable[tuple[int, str]]) -> tuple[Carried, ...]:
    """The cards shown for any of the answers (position, text), each once with the answer
    that carried it best, best first."""
    best: dict[str, tuple[float, int, str]] = {}
    for position, text in written:
        for score in recogniser.recognise(text).ranked:
            if score.shown and score.score > best.get(score.slug, (-1.0, 0, ""))[0]:
                best[score.slug] = (score.score, position, text)
    ranked = sorted(best.items(), key=lambda item: -item[1][0])
    return tuple(
        Carried(slug, score, position, recogniser.carrying_sentence(text, slug))
        for slug, (score, position, text) in ranked
    )


def suggested_concepts(
    carried: Iterable[Carried], *, most: int = MOST_SUGGESTED
) -> tuple[str, ...]:
    """The cards to offer at the end of the reflection, best first."""
    return tuple(c.slug for c in carried)[:most]


def excerpt_of(carried: CarriedConcept, answers: Mapping[int, str]) -> str:
    """The clinician's own sentence that carried the card, from the answer as it is now
    (`answers`: position → text); "" when that answer is gone."""
    text = answers.get(carried.position)
    return excerpt_at(text, carried.sentence) if text else ""
