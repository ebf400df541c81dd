"""How well the concept recogniser does on a labelled set: the figures its targets name.

A labelled line is `{"text": ..., "concepts": [slugs, primary first], "kind"?: ...}`;
`kind` (paraphrase, literal, none, trap) is optional and only splits the figures.

  top-3         share of texts with concepts whose primary concept is among the 3 best
  precision     share of shown suggestions that are among the text's labelled concepts
  nothing shown share of texts labelled with no concept for which nothing is shown
  suggested     share of texts with concepts given at least one correct suggestion (no target:
                how often a clinician is offered anything)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reflect_bot.domain.recognition import Recognition

__all__ = [
    "TARGET_NOTHING_SHOWN",
    "TARGET_PRECISION",
    "TARGET_TOP3",
    "ConceptFigures",
    "Evaluation",
    "LabelledText",
    "Share",
    "evaluate",
    "read_labelled",
]

TARGET_TOP3 = 0.85
TARGET_PRECISION = 0.80
TARGET_NOTHING_SHOWN = 0.90


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    concepts: tuple[str, ...]
    kind: str | None = None
    question: str | None = None


def read_labelled(path: Path) -> list[LabelledText]:
    """The lines of a labelled JSON-lines file; blank lines are skipped."""
    return list(_parse(path.read_text(encoding="utf-8").splitlines(), str(path)))


def _parse(lines: Iterable[str], where: str) -> Iterator[LabelledText]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            text, concepts = raw["text"], raw.get("concepts", [])
            if not isinstance(text, str) or not isinstance(concepts, list):
                raise TypeError
            yield LabelledText(
                text, tuple(str(c) for c in concepts), raw.get("kind"), raw.get("question")
            )
        except (ValueError, KeyError, TypeError):
            raise ValueError(
                f'{where}:{number}: expected {{"text": "...", "concepts": [slugs]}}'
            ) from None


@dataclass(slots=True)
class Share:
    """`hits` of `total`."""

    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.hits += hit

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        if not self.total:
            return "—"
        return f"{100 * self.hits / self.total:.1f} % ({self.hits}/{self.total})"


@dataclass(slots=True)
class ConceptFigures:
    """One concept: its primary texts found in the top 3, and its shown suggestions' accuracy."""

    top3: Share = field(default_factory=Share)
    precision: Share = field(default_factory=Share)


@dataclass(slots=True)
class Evaluation:
    top3: Share = field(default_factory=Share)
    precision: Share = field(default_factory=Share)
    nothing_shown: Share = field(default_factory=Share)
    suggested: Share = field(default_factory=Share)
    top3_by_kind: dict[str, Share] = field(default_factory=dict)
    nothing_shown_by_kind: dict[str, Share] = field(default_factory=dict)
    concepts: dict[str, ConceptFigures] = field(default_factory=dict)

    def meets_targets(self) -> bool:
        """Top 3 of paraphrases (else of all texts with concepts), precision, nothing shown."""
        top3 = self.top3_by_kind.get("paraphrase", self.top3).value
        precision = self.precision.value
        nothing = self.nothing_shown.value
        return (
            (top3 is None or top3 >= TARGET_TOP3)
            and (precision is None or precision >= TARGET_PRECISION)
            and (nothing is None or nothing >= TARGET_NOTHING_SHOWN)
        )

    def report(self) -> str:
        """Plain-text figures: overall, by kind, then per concept."""
        lines = [
            f"primary concept in the top 3: {self.top3}  (target ≥ {TARGET_TOP3:.0%})",
            *(f"  {kind}: {share}" for kind, share in sorted(self.top3_by_kind.items())),
            f"shown suggestions correct:     {self.precision}  (target ≥ {TARGET_PRECISION:.0%})",
            f"texts with concepts given a correct suggestion: {self.suggested}",
            f"no-concept texts, nothing shown: {self.nothing_shown}"
            f"  (target ≥ {TARGET_NOTHING_SHOWN:.0%})",
            *(f"  {kind}: {share}" for kind, share in sorted(self.nothing_shown_by_kind.items())),
            "",
            f"{'concept':<32} {'top 3':<18} shown correct",
        ]
        for slug, figures in sorted(self.concepts.items()):
            lines.append(f"{slug:<32} {figures.top3!s:<18} {figures.precision}")
        lines.append("")
        lines.append("targets met" if self.meets_targets() else "targets NOT met")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "top3": self.top3.value,
            "top3_by_kind": {kind: share.value for kind, share in self.top3_by_kind.items()},
            "precision": self.precision.value,
            "shown": self.precision.total,
            "suggested": self.suggested.value,
            "nothing_shown": self.nothing_shown.value,
            "nothing_shown_by_kind": {
                kind: share.value for kind, share in self.nothing_shown_by_kind.items()
            },
            "texts": self.top3.total + self.nothing_shown.total,
            "meets_targets": self.meets_targets(),
        }


def evaluate(
    labelled: Iterable[LabelledText], recognise: Callable[[str, str | None], Recognition]
) -> Evaluation:
    """The figures of `recognise` over `labelled`."""
    figures = Evaluation()
    for line in labelled:
        recognition = recognise(line.text, line.question)
        shown = recognition.shown
        for slug in shown:
            correct = slug in line.concepts
            figures.precision.add(correct)
            figures.concepts.setdefault(slug, ConceptFigures()).precision.add(correct)
        if line.concepts:
            hit = line.concepts[0] in recognition.top(3)
            figures.top3.add(hit)
            figures.suggested.add(any(slug in line.concepts for slug in shown))
            figures.concepts.setdefault(line.concepts[0], ConceptFigures()).top3.add(hit)
            if line.kind:
                figures.top3_by_kind.setdefault(line.kind, Share()).add(hit)
        else:
            figures.nothing_shown.add(not shown)
            if line.kind:
                figures.nothing_shown_by_kind.setdefault(line.kind, Share()).add(not shown)
    return figures
