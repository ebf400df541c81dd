"""The rules of a reflection, free of Telegram and the database.

Which step comes next, how a typed message is read as a rating or a choice, what progress to
show, how much time counts towards CPD, and when an untouched reflection is set aside (24 h)
or can no longer be resumed (7 days).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from reflect_bot.catalog import RATING_MAX, RATING_MIN, Program, Step, StepKind
from reflect_bot.catalog import Answer as ConditionAnswer

#: A reflection nobody touched for this long is closed as incomplete.
STALE_AFTER = timedelta(hours=24)
#: An incomplete reflection can be resumed from /journal for this long after its last answer.
RESUMABLE_FOR = timedelta(days=7)


class ReflectionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"  # cancelled, or set aside after 24 h; resumable for 7 days
    DISCARDED = "discarded"  # the clinician chose to throw it away; its answers are deleted


class AnswerKind(StrEnum):
    TEXT = "text"
    RATING = "rating"
    CHOICE = "choice"
    SKIPPED = "skipped"


class GivenAnswer(Protocol):
    """What the rules read of a stored answer (the `Answer` table row has all of it)."""

    @property
    def step_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str | None: ...
    @property
    def rating(self) -> int | None: ...
    @property
    def choice(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ReadAnswer:
    """A message (or button) understood as an answer to one step, ready to be stored."""

    step_id: str
    kind: AnswerKind
    text: str | None = None
    rating: int | None = None
    choice: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    position: int
    total: int

    def __str__(self) -> str:
        return f"{self.position} of {self.total}"


# --------------------------------------------------------------------------- steps


def condition_answers(given: Iterable[GivenAnswer]) -> dict[str, ConditionAnswer]:
    """Answers as the catalog's conditions read them; skipped steps count as unanswered."""
    answers: dict[str, ConditionAnswer] = {}
    for answer in given:
        if answer.kind == AnswerKind.RATING and answer.rating is not None:
            answers[answer.step_id] = answer.rating
        elif answer.kind == AnswerKind.CHOICE and answer.choice is not None:
            answers[answer.step_id] = answer.choice
        elif answer.kind == AnswerKind.TEXT:
            # Conditions never look at written answers; their text may not even be loaded.
            answers[answer.step_id] = answer.text or ""
    return answers


def first_step(program: Program) -> Step:
    """The opening question (the catalog guarantees it has no condition)."""
    step = program.next_step(None, {})
    if step is None:  # pragma: no cover - the catalog refuses programs without steps
        raise ValueError(f"program {program.id!r} has no step to ask")
    return step


def next_step(program: Program, after: str, given: Iterable[GivenAnswer]) -> Step | None:
    """The step to ask after `after`, or None when the reflection is complete."""
    return program.next_step(after, condition_answers(given))


def progress(program: Program, step: Step, given: Iterable[GivenAnswer]) -> Progress:
    """Where `step` stands among the steps that apply so far ("2 of 5").

    Conditional steps count once their condition is met, so the total can grow by one when,
    say, a check-in reports a rupture.
    """
    applicable = [s.id for s in program.applicable_steps(condition_answers(given))]
    if step.id not in applicable:
        applicable.append(step.id)
    return Progress(applicable.index(step.id) + 1, len(applicable))


def position_of(program: Program, step_id: str) -> int:
    """The step's place in the program (1-based); orders stored answers like the program."""
    return program.step_ids.index(step_id) + 1


# --------------------------------------------------------------------------- reading typed text

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_STARS = frozenset("⭐★*")
_RATING_RE = re.compile(r"(\d+)(?:\s*(?:/|out of|of)\s*\d+)?")
_EDGE_PUNCTUATION = " \t\n.!?,;:\"'“”‘’()[]"


def _normalise(text: str) -> str:
    """Case-folded, compatibility-normalised, invisible characters removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.casefold().split()).strip(_EDGE_PUNCTUATION)


def read_rating(text: str) -> int | None:
    """A rating typed instead of pressed: "4", "4/5", "4 out of 5", "four", "⭐⭐⭐⭐"."""
    normalised = _normalise(text)
    if normalised in _NUMBER_WORDS:
        return _NUMBER_WORDS[normalised]
    compact = normalised.replace(" ", "").replace("\ufe0f", "")
    if compact and set(compact) <= _STARS:
        value = len(compact)
    else:
        match = _RATING_RE.fullmatch(normalised)
        if match is None:
            return None
        value = int(match.group(1))
    return value if RATING_MIN <= value <= RATING_MAX else None


def read_choice(step: Step, text: str) -> str | None:
    """An option typed instead of pressed: its label, its id, or its number in the list."""
    normalised = _normalise(text)
    if not normalised:
        return None
    for option in step.options:
        if normalised in (_normalise(option.label), _normalise(option.id.replace("_", " "))):
            return option.id
    if normalised.isdecimal():
        number = int(normalised)
        if 1 <= number <= len(step.options):
            return step.options[number - 1].id
    return None


def read_typed_answer(step: Step, text: str) -> ReadAnswer | None:
    """A typed message as an answer to `step`, or None when it cannot be one.

    Text answers are kept exactly as typed (markup, emoji, invisible characters and all);
    only a message with nothing but spaces is refused.
    """
    if step.kind is StepKind.TEXT:
        return ReadAnswer(step.id, AnswerKind.TEXT, text=text) if text.strip() else None
    if step.kind is StepKind.RATING:
        rating = read_rating(text)
        return None if rating is None else ReadAnswer(step.id, AnswerKind.RATING, rating=rating)
    choice = read_choice(step, text)
    return None if choice is None else ReadAnswer(step.id, AnswerKind.CHOICE, choice=choice)


def read_button_answer(step: Step, value: str) -> ReadAnswer | None:
    """A pressed button's value as an answer to `step` (None: not one of its buttons)."""
    if step.kind is StepKind.RATING:
        rating = int(value) if value.isascii() and value.isdecimal() else None
        if rating is None or not RATING_MIN <= rating <= RATING_MAX:
            return None
        return ReadAnswer(step.id, AnswerKind.RATING, rating=rating)
    if step.kind is StepKind.CHOICE and value in step.option_ids:
        return ReadAnswer(step.id, AnswerKind.CHOICE, choice=value)
    return None


# --------------------------------------------------------------------------- time


def seconds_between(earlier: datetime, later: datetime) -> int:
    """Whole seconds from `earlier` to `later`, never negative (clocks may be adjusted)."""
    return max(0, int((later - earlier).total_seconds()))


def cpd_minutes(seconds: int) -> int:
    """Minutes to report for CPD: rounded up, and at least one."""
    return max(1, math.ceil(seconds / 60))


def is_stale(last_activity_at: datetime, now: datetime) -> bool:
    """Untouched for 24 hours: the reflection is set aside as incomplete."""
    return now - last_activity_at >= STALE_AFTER


def can_resume(status: str, last_activity_at: datetime, now: datetime) -> bool:
    """An incomplete reflection can be taken up again within 7 days of its last answer."""
    return status == ReflectionStatus.INCOMPLETE and now - last_activity_at < RESUMABLE_FOR


# --------------------------------------------------------------------------- journal


def first_line(text: str, *, limit: int = 60) -> str:
    """The first non-empty line of an answer, shortened to `limit` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
