"""Which concept cards to suggest for a whole reflection, from its text answers.

Each answer is recognised on its own (`ConceptRecogniser.recognise`); a card shown for any
answer is suggested, best score first, at most `MOST_SUGGESTED`. Pure: call it off the event
loop (≈ 0.6 ms of CPU per answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from reflect_bot.domain.recognition import Recognition

__all__ = ["MOST_SUGGESTED", "Recognises", "recognised_per_answer", "suggested_concepts"]

#: At most this many cards are suggested at the end of one reflection (fits a phone screen).
MOST_SUGGESTED = 4


class Recognises(Protocol):
    """What suggestions need of a recogniser (a `ConceptRecogniser` is one)."""

    def recognise(self, text: str, question: str | None = None) -> Recognition: ...


def recognised_per_answer(recogniser: Recognises, text: str) -> dict[str, float]:
    """slug → score of the cards shown for one answer."""
    return {s.slug: s.score for s in recogniser.recognise(text).ranked if s.shown}


def suggested_concepts(
    recogniser: Recognises,
    written: Iterable[str],
    *,
    removed: Mapping[str, bool] | None = None,
    most: int = MOST_SUGGESTED,
) -> tuple[str, ...]:
    """The cards shown for any of the answers, best first; none the clinician removed
    (`removed`: slug → kept, as stored)."""
    best: dict[str, float] = {}
    for text in written:
        for slug, score in recognised_per_answer(recogniser, text).items():
            if removed is not None and removed.get(slug) is False:
                continue
            best[slug] = max(score, best.get(slug, 0.0))
    return tuple(sorted(best, key=lambda slug: -best[slug])[:most])
