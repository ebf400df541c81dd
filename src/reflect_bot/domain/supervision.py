"""Supervision: reflections marked "take to supervision" become a brief, and a logged
supervision (or peer-consultation) session clears the marks so the next brief starts afresh.

The brief quotes the clinician's own words (cut cleanly, never rewritten), the alliance
ratings and any rupture reported, with room for what they want to ask. Pure rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from reflect_bot.catalog import CHECKIN_RUPTURE_STEP
from reflect_bot.domain.digest import RUPTURE_KINDS, cut_cleanly
from reflect_bot.domain.export import StoredReflection
from reflect_bot.domain.journaling import AnswerKind

#: The longest quote of one answer in a brief, in characters.
SENTENCE_LIMIT = 240
#: The session lengths offered by button, in minutes.
SESSION_MINUTES: tuple[int, ...] = (30, 45, 60, 90)
#: Statuses of reflections that can be marked (an open one is not finished thinking).
MARKABLE = frozenset({"completed", "incomplete"})


class SessionKind(StrEnum):
    SUPERVISION = "supervision"
    PEER = "peer"


@dataclass(frozen=True, slots=True)
class Rating:
    step_id: str
    question: str
    rating: int


@dataclass(frozen=True, slots=True)
class BriefItem:
    """One marked reflection in the brief."""

    reflection_id: int
    day: date  # local
    program_title: str
    sentences: tuple[str, ...]  # the clinician's own words, each cut cleanly
    ratings: tuple[Rating, ...]
    rupture: str | None  # the rupture reported (its option label), if any


@dataclass(frozen=True, slots=True)
class Brief:
    since: date | None  # the last logged session, if any
    items: tuple[BriefItem, ...]

    @property
    def is_empty(self) -> bool:
        return not self.items


@dataclass(frozen=True, slots=True)
class SharedItem:
    """A reflection shared with the clinician's supervisor, for /shared."""

    shared_id: int
    reflection_id: int
    title: str
    started_at: datetime
    sent_at: datetime
    comments: int


def build_brief(
    reflections: Sequence[StoredReflection], *, zone: tzinfo, since: date | None
) -> Brief:
    """The brief of the marked `reflections`, oldest first."""
    items = []
    for stored in sorted(reflections, key=lambda r: (r.started_at, r.id)):
        sentences = tuple(
            cut_cleanly(answer.text, SENTENCE_LIMIT)
            for answer in stored.answers
            if answer.kind == AnswerKind.TEXT and answer.text and answer.text.strip()
        )
        ratings = tuple(
            Rating(answer.step_id, answer.question, answer.rating)
            for answer in stored.answers
            if answer.kind == AnswerKind.RATING and answer.rating is not None
        )
        rupture = next(
            (
                answer.choice_label or answer.choice
                for answer in stored.answers
                if answer.step_id == CHECKIN_RUPTURE_STEP
                and answer.kind == AnswerKind.CHOICE
                and answer.choice in RUPTURE_KINDS
            ),
            None,
        )
        items.append(
            BriefItem(
                stored.id,
                stored.started_at.astimezone(zone).date(),
                stored.program_title,
                sentences,
                ratings,
                rupture,
            )
        )
    return Brief(since, tuple(items))
