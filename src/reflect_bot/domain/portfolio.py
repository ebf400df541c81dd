"""Reflections as portfolio evidence: each journal entry laid out under a body's headings.

A step's answer goes under the first heading of the profile that takes one of the step's
sections (`Profile.heading_for`); a heading fed by a choice shows what the clinician picked
for that reflection, or that nothing is picked yet. An account `lacks` what the body's form
would leave empty: an unfinished reflection, a heading with no answer, a choice not made.
Pure: the journal, the profile and the picks come in, plain values go out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from reflect_bot.domain.identifying import IdentifyingKind, find_identifying
from reflect_bot.domain.journaling import AnswerKind

if TYPE_CHECKING:
    from datetime import date

    from reflect_bot.catalog import Catalog, Section
    from reflect_bot.catalog.profiles import Profile
    from reflect_bot.domain.export import Journal, JournalAnswer, JournalEntry

__all__ = [
    "Account",
    "AccountPart",
    "Evidence",
    "FlaggedAnswer",
    "Gap",
    "GapKind",
    "Picks",
    "build_evidence",
    "evidence_filename",
    "flagged_answers",
    "parse_picks",
]

#: What the clinician picked for one reflection: choice id → option ids.
Picks = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class AccountPart:
    """One heading of the body's form with what goes under it."""

    heading_id: str
    title: str
    answers: tuple[JournalAnswer, ...] = ()
    #: Only for a heading fed by a choice: the labels picked (empty: nothing picked yet).
    choice_id: str | None = None
    chosen: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.answers and not self.chosen


class GapKind(StrEnum):
    UNFINISHED = "unfinished"  # the reflection was not completed
    HEADING = "heading"  # no answer under a heading
    CHOICE = "choice"  # a choice the body asks for is not made


@dataclass(frozen=True, slots=True)
class Gap:
    kind: GapKind
    heading: str | None = None  # the heading's title (HEADING and CHOICE)
    choice_id: str | None = None  # CHOICE only


@dataclass(frozen=True, slots=True)
class Account:
    """One reflection as a reflective account in the profile's shape."""

    entry: JournalEntry
    parts: tuple[AccountPart, ...]

    @property
    def lacks(self) -> tuple[Gap, ...]:
        gaps = [] if self.entry.finished else [Gap(GapKind.UNFINISHED)]
        for part in self.parts:
            if part.choice_id is not None and not part.chosen:
                gaps.append(Gap(GapKind.CHOICE, part.title, part.choice_id))
            elif part.choice_id is None and not part.answers:
                gaps.append(Gap(GapKind.HEADING, part.title))
        return tuple(gaps)

    @property
    def is_ready(self) -> bool:
        return not self.lacks


@dataclass(frozen=True, slots=True)
class Evidence:
    """A journal's reflections as accounts for one body."""

    profile: Profile
    journal: Journal
    accounts: tuple[Account, ...]


def build_evidence(
    journal: Journal,
    profile: Profile,
    *,
    catalog: Catalog,
    picks: Mapping[int, Picks] | None = None,
) -> Evidence:
    """Every entry of `journal` laid out under `profile`'s headings.

    `picks` holds, per reflection id, the options picked for the profile's choices. Skipped
    steps are left out; an answer to a step the catalog no longer has goes under the first
    heading (its sections are unknown, and the clinician's words are never dropped).
    """
    picks = picks or {}
    accounts = tuple(
        _account(entry, profile, catalog, picks.get(entry.reflection_id, {}))
        for entry in journal.entries
    )
    return Evidence(profile=profile, journal=journal, accounts=accounts)


def _account(entry: JournalEntry, profile: Profile, catalog: Catalog, picks: Picks) -> Account:
    program = catalog.programs.get(entry.program_id)
    sections: dict[str, tuple[Section, ...]] = (
        {step.id: step.sections for step in program.steps} if program else {}
    )
    placed: dict[str, list[JournalAnswer]] = {heading.id: [] for heading in profile.headings}
    first = next((h for h in profile.headings if h.sections), profile.headings[0])
    for answer in entry.answers:
        if answer.kind == AnswerKind.SKIPPED:
            continue
        heading = profile.heading_for(sections.get(answer.step_id, ())) or first
        placed[heading.id].append(answer)
    parts = []
    for heading in profile.headings:
        chosen: tuple[str, ...] = ()
        if heading.choice is not None:
            chosen = profile.choice(heading.choice).labels(picks.get(heading.choice, ()))
        parts.append(
            AccountPart(
                heading_id=heading.id,
                title=heading.title,
                answers=tuple(placed[heading.id]),
                choice_id=heading.choice,
                chosen=chosen,
            )
        )
    return Account(entry=entry, parts=tuple(parts))


def parse_picks(stored: str) -> tuple[str, ...]:
    """Option ids as stored (comma-separated), without blanks."""
    return tuple(option for option in stored.split(",") if option)


def evidence_filename(profile_id: str, journal: Journal, extension: str) -> str:
    """e.g. nmc-accounts-2026-11-02-2026-11-30.docx"""
    return (
        f"{profile_id}-accounts-{journal.start.isoformat()}-{journal.end.isoformat()}.{extension}"
    )


@dataclass(frozen=True, slots=True)
class FlaggedAnswer:
    """An answer the identifying-details check flags, to fix before the evidence is used."""

    entry: JournalEntry
    question: str
    found: tuple[IdentifyingKind, ...]


def flagged_answers(journal: Journal, *, today: date) -> tuple[FlaggedAnswer, ...]:
    """Every written answer of the journal that may identify someone, in journal order."""
    flagged = []
    for entry in journal.entries:
        for answer in entry.answers:
            if answer.kind != AnswerKind.TEXT or not answer.text:
                continue
            found = find_identifying(answer.text, today=today)
            if found:
                flagged.append(FlaggedAnswer(entry, answer.question, found))
    return tuple(flagged)
