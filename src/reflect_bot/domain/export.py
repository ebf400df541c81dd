"""What `/export` puts in a clinician's journal, as a pure function of their reflections.

`parse_export_args` reads the command's arguments; the repository loads the reflections
(`StoredReflection`) for the request's UTC bounds; `build_journal` turns them into a
`Journal`: entries in date order with each answer ready to show, the concepts each touches,
the glossary of those concepts and the totals. Renderers (`render.markdown`) only format it.
No clock, no database, no Telegram here.

Dates are the clinician's local dates, in their current time zone; ranges include both ends.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

from reflect_bot.catalog import CHECKIN_RUPTURE_STEP, RATING_MAX, Role, StepKind
from reflect_bot.domain.digest import RUPTURE_KINDS
from reflect_bot.domain.goals import ExportedGoal
from reflect_bot.domain.journaling import AnswerKind, ReflectionStatus, cpd_minutes
from reflect_bot.domain.mentions import ConceptMatcher
from reflect_bot.domain.suggestions import CarriedConcept, excerpt_of
from reflect_bot.domain.timezones import resolve

if TYPE_CHECKING:
    from reflect_bot.catalog import Catalog, Concept, Step

__all__ = [
    "EXPORTED_STATUSES",
    "ExportArgumentError",
    "ExportFormat",
    "ExportProblem",
    "ExportRequest",
    "ExportScope",
    "GlossaryEntry",
    "Journal",
    "JournalAnswer",
    "JournalEntry",
    "SourceNote",
    "StoredAnswer",
    "StoredReflection",
    "Totals",
    "build_journal",
    "journal_filename",
    "parse_export_args",
]

#: Reflections a journal shows; a discarded one was thrown away by the clinician.
EXPORTED_STATUSES: tuple[str, ...] = (
    ReflectionStatus.COMPLETED.value,
    ReflectionStatus.INCOMPLETE.value,
    ReflectionStatus.IN_PROGRESS.value,
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Words a clinician may put between two dates: "/export 2026-09-01 to 2026-11-30".
_RANGE_JOINERS = frozenset({"to", "-", "–", "—", "..", "until"})


# --------------------------------------------------------------------------- the request


class ExportScope(StrEnum):
    ALL = "all"  # the whole journal
    RANGE = "range"  # two local dates, both included
    WEEK = "week"  # the current ISO week, Monday to Sunday
    CONCEPT = "concept"  # the whole journal, reflections touching one concept
    PROGRAM = "program"  # the whole journal, reflections of one program


class ExportFormat(StrEnum):
    MARKDOWN = "md"
    DOCX = "docx"
    CSV = "csv"


#: Words a clinician may type for a format.
_FORMAT_WORDS: dict[str, ExportFormat] = {
    "md": ExportFormat.MARKDOWN,
    "markdown": ExportFormat.MARKDOWN,
    "docx": ExportFormat.DOCX,
    "word": ExportFormat.DOCX,
    "csv": ExportFormat.CSV,
}
#: The word that asks for the CPD log instead of the journal.
CPD_WORD = "cpd"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What the clinician asked for. `start`/`end` are None when the journal's own ends apply.

    `profile` lays the reflections out as a body's accounts; `cpd` asks for the CPD log.
    """

    scope: ExportScope
    start: date | None = None
    end: date | None = None
    concept: str | None = None
    program: str | None = None
    profile: str | None = None
    cpd: bool = False
    format: ExportFormat = ExportFormat.MARKDOWN

    def with_target(
        self, *, profile: str | None, cpd: bool, format: ExportFormat | None
    ) -> ExportRequest:
        default = ExportFormat.CSV if cpd else ExportFormat.MARKDOWN
        return ExportRequest(
            self.scope,
            self.start,
            self.end,
            self.concept,
            self.program,
            profile=profile,
            cpd=cpd,
            format=format or default,
        )

    def utc_bounds(self, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
        """[local start 00:00, local day after end 00:00) as UTC instants (None: open)."""
        return (
            None if self.start is None else _local_midnight(self.start, zone),
            None if self.end is None else _local_midnight(self.end, zone, days_after=1),
        )


class ExportProblem(StrEnum):
    USAGE = "usage"  # words the command does not take
    BAD_DATE = "bad_date"  # not a YYYY-MM-DD calendar date
    ONE_DATE = "one_date"  # a range needs both ends
    REVERSED = "reversed"  # the first date is after the second
    MISSING_CONCEPT = "missing_concept"
    UNKNOWN_CONCEPT = "unknown_concept"
    MISSING_PROGRAM = "missing_program"
    UNKNOWN_PROGRAM = "unknown_program"
    FORMAT = "format"  # a format the target does not come in (e.g. the journal as .docx)


class ExportArgumentError(ValueError):
    """The arguments cannot be read; `problem` says why and `typed` holds the offending word."""

    def __init__(self, problem: ExportProblem, typed: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.typed = typed


def parse_export_args(
    args: Sequence[str],
    *,
    today: date,
    concepts: Collection[str],
    programs: Collection[str],
    profiles: Collection[str] = (),
) -> ExportRequest:
    """Reads `/export [<profile> | cpd] [md | docx | csv]` followed by nothing, `week`,
    `<from> <to>`, `concept <slug>` or `program <id>`; raises ExportArgumentError for
    anything else. A profile's accounts come as Markdown or .docx, the CPD log as CSV, the
    plain journal as Markdown.

    `today` is the clinician's local date; `concepts`, `programs` and `profiles` the ids
    that exist.
    """
    words = [word.strip() for word in args if word.strip()]
    profile, cpd = None, False
    if words and words[0].casefold() in profiles:
        profile, words = words[0].casefold(), words[1:]
    elif words and words[0].casefold() == CPD_WORD:
        cpd, words = True, words[1:]
    format = None
    if words and words[0].casefold() in _FORMAT_WORDS:
        format, words = _FORMAT_WORDS[words[0].casefold()], words[1:]
    elif words and words[-1].casefold() in _FORMAT_WORDS:
        format, words = _FORMAT_WORDS[words[-1].casefold()], words[:-1]
    if format is not None and not _offered(format, profile=profile, cpd=cpd):
        raise ExportArgumentError(ExportProblem.FORMAT, format.value)
    request = _scope(words, today=today, concepts=concepts, programs=programs)
    return request.with_target(profile=profile, cpd=cpd, format=format)


def _offered(format: ExportFormat, *, profile: str | None, cpd: bool) -> bool:
    if cpd:
        return format is ExportFormat.CSV
    if profile is not None:
        return format in (ExportFormat.MARKDOWN, ExportFormat.DOCX)
    return format is ExportFormat.MARKDOWN


def _scope(
    words: Sequence[str],
    *,
    today: date,
    concepts: Collection[str],
    programs: Collection[str],
) -> ExportRequest:
    if not words:
        return ExportRequest(ExportScope.ALL)
    keyword = words[0].casefold()
    if keyword == "week" and len(words) == 1:
        monday = today - timedelta(days=today.weekday())
        return ExportRequest(ExportScope.WEEK, start=monday, end=monday + timedelta(days=6))
    if keyword in ("concept", "program"):
        return _filtered(keyword, words[1:], concepts=concepts, programs=programs)
    if not _DATE.fullmatch(words[0]):
        problem = ExportProblem.BAD_DATE if words[0][:1].isdigit() else ExportProblem.USAGE
        raise ExportArgumentError(problem, words[0])
    if len(words) == 3 and words[1].casefold() in _RANGE_JOINERS:
        words = [words[0], words[2]]
    if len(words) == 1:
        raise ExportArgumentError(ExportProblem.ONE_DATE, words[0])
    if len(words) != 2:
        raise ExportArgumentError(ExportProblem.USAGE, " ".join(words[2:]))
    start, end = _read_date(words[0]), _read_date(words[1])
    if start > end:
        raise ExportArgumentError(ExportProblem.REVERSED, f"{words[0]} {words[1]}")
    return ExportRequest(ExportScope.RANGE, start=start, end=end)


def _filtered(
    keyword: str, rest: Sequence[str], *, concepts: Collection[str], programs: Collection[str]
) -> ExportRequest:
    is_concept = keyword == "concept"
    if not rest:
        raise ExportArgumentError(
            ExportProblem.MISSING_CONCEPT if is_concept else ExportProblem.MISSING_PROGRAM
        )
    if len(rest) > 1:
        raise ExportArgumentError(ExportProblem.USAGE, " ".join(rest[1:]))
    wanted = rest[0].casefold()
    if is_concept:
        if wanted not in concepts:
            raise ExportArgumentError(ExportProblem.UNKNOWN_CONCEPT, rest[0])
        return ExportRequest(ExportScope.CONCEPT, concept=wanted)
    if wanted not in programs:
        raise ExportArgumentError(ExportProblem.UNKNOWN_PROGRAM, rest[0])
    return ExportRequest(ExportScope.PROGRAM, program=wanted)


def _read_date(word: str) -> date:
    if not _DATE.fullmatch(word):
        raise ExportArgumentError(ExportProblem.BAD_DATE, word)
    try:
        return date.fromisoformat(word)
    except ValueError:  # 2026-02-30 and the like
        raise ExportArgumentError(ExportProblem.BAD_DATE, word) from None


def _local_midnight(day: date, zone: tzinfo, *, days_after: int = 0) -> datetime:
    """The local midnight starting `day` (+ days_after) as UTC; open-ended past the calendar."""
    try:
        day = day + timedelta(days=days_after)
    except OverflowError:  # the day after 9999-12-31
        return datetime.max.replace(tzinfo=UTC)
    # A midnight skipped by a clock change moves forward (zoneinfo's fold=0), as elsewhere.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def journal_filename(start: date, end: date, *, part: int | None = None, parts: int = 1) -> str:
    """journal-<from>-<to>.md, or journal-<from>-<to>-part-2-of-3.md for a split export."""
    base = f"journal-{start.isoformat()}-{end.isoformat()}"
    return f"{base}-part-{part}-of-{parts}.md" if part is not None and parts > 1 else f"{base}.md"


# --------------------------------------------------------------------------- what is loaded


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One stored answer, decrypted, with the question as it was asked."""

    position: int
    step_id: str
    question: str
    kind: str  # text | rating | choice | skipped
    text: str | None = None
    rating: int | None = None
    choice: str | None = None
    choice_label: str | None = None
    edited: bool = False
    answer_id: int | None = None
    #: Flagged by the identifying-details check and kept as it is (listed before an export).
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class StoredReflection:
    """One stored reflection with its answers in the order they were asked."""

    id: int
    program_id: str
    program_title: str
    status: str
    started_at: datetime  # aware UTC
    finished_at: datetime | None
    seconds_spent: int
    answers: tuple[StoredAnswer, ...] = ()
    #: The concept cards it carried by meaning, kept or removed (recognised when completed).
    carried: tuple[CarriedConcept, ...] = ()


# --------------------------------------------------------------------------- the journal


@dataclass(frozen=True, slots=True)
class JournalAnswer:
    """An answer ready to show: the clinician's words stay exactly as stored."""

    step_id: str
    question: str
    kind: str  # text | rating | choice | skipped
    text: str | None = None
    rating: int | None = None
    rating_max: int = RATING_MAX
    #: The labels of the scale's two ends, when the program still has that rating step.
    scale: tuple[str, str] | None = None
    choice: str | None = None  # the option's id
    choice_label: str | None = None  # the option's label as it was when chosen
    edited: bool = False
    answer_id: int | None = None
    flagged: bool = False  # seemed to identify a client, and was kept as it is


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One reflection in the journal."""

    reflection_id: int
    started: datetime  # local time, in the journal's zone
    program_id: str
    program_title: str
    status: str
    minutes: int  # CPD minutes, as the digest counts them
    answers: tuple[JournalAnswer, ...]
    concepts: tuple[str, ...]  # slugs: the program's concepts, then those named in answers
    #: (slug, the clinician's sentence that carried it): cards it touched by meaning or the
    #: clinician kept, in catalog order; none they removed.
    touched: tuple[tuple[str, str], ...] = ()
    supervisor_comments: tuple[str, ...] = ()  # the supervisor's words, while it is shared

    @property
    def finished(self) -> bool:
        return self.status == ReflectionStatus.COMPLETED.value


@dataclass(frozen=True, slots=True)
class SourceNote:
    """One source of a concept card: document, section, lines and the references it cites."""

    document: str  # the document's label, e.g. "Review"
    title: str
    byline: str | None  # e.g. "Kim, 2018"
    section: str
    lines: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """A concept card as the glossary shows it."""

    slug: str
    name: str
    summary: str
    caveat: str | None
    sources: tuple[SourceNote, ...]


@dataclass(frozen=True, slots=True)
class Totals:
    """What the export adds up, for its front matter and its closing section."""

    reflections: int = 0
    answers: int = 0  # answered steps (skipped ones not counted)
    cpd_minutes: int = 0
    ruptures: int = 0  # check-ins that reported a strain (withdrawal, confrontation, unsure)
    repairs: int = 0  # completed rupture-repair reflections


@dataclass(frozen=True, slots=True)
class Journal:
    """Everything an export shows, for one clinician and one request."""

    request: ExportRequest
    start: date  # local dates the journal covers, both included
    end: date
    zone_name: str
    exported_at: datetime  # local time, in the journal's zone
    author: str | None  # only when the clinician allows their name in exports
    entries: tuple[JournalEntry, ...]
    glossary: tuple[GlossaryEntry, ...]  # every concept an entry links to, by name
    totals: Totals
    filter_label: str | None = None  # the program's title or the concept's name, if filtered
    goals: tuple[ExportedGoal, ...] = ()  # set within its dates, each with its follow-ups

    @property
    def is_empty(self) -> bool:
        return not self.entries

    def flagged_answers(self) -> tuple[tuple[JournalEntry, JournalAnswer], ...]:
        """Answers that seemed to identify a client and were kept as they are, in journal
        order: the clinician is told of them before the file is sent."""
        return tuple(
            (entry, answer)
            for entry in self.entries
            for answer in entry.answers
            if answer.flagged and answer.kind == AnswerKind.TEXT
        )

    def glossary_for(self, slugs: Iterable[str]) -> tuple[GlossaryEntry, ...]:
        """The glossary entries of `slugs`, in glossary order (for one part of a split file)."""
        wanted = set(slugs)
        return tuple(entry for entry in self.glossary if entry.slug in wanted)


def build_journal(
    request: ExportRequest,
    reflections: Iterable[StoredReflection],
    *,
    catalog: Catalog,
    zone_name: str,
    today: date,
    exported_at: datetime,
    author: str | None = None,
    matcher: ConceptMatcher | None = None,
    by_meaning: bool = False,
    goals: Iterable[ExportedGoal] = (),
    supervisor_comments: Mapping[int, Sequence[str]] | None = None,
) -> Journal:
    """The journal for `request` from the clinician's stored reflections.

    `by_meaning`: each entry lists the cards its reflection carried by meaning (or that the
    clinician kept), with their sentences, instead of cards named word for word.

    `today` is the clinician's local date (the end of an open range); `author` is passed only
    when the clinician allows their name in exports. Discarded reflections, reflections with
    no answers and reflections outside the request's dates are left out.
    """
    zone = resolve(zone_name)
    matcher = matcher or ConceptMatcher(catalog.concepts.values())
    steps_by_program = {
        program_id: {step.id: step for step in program.steps}
        for program_id, program in catalog.programs.items()
    }
    entries: list[JournalEntry] = []
    for stored in sorted(reflections, key=lambda r: (r.started_at, r.id)):
        started = stored.started_at.astimezone(zone)
        if not _wanted(stored, started.date(), request):
            continue
        entry = _entry(stored, started, catalog, matcher, steps_by_program, by_meaning)
        if supervisor_comments and stored.id in supervisor_comments:
            entry = dataclasses.replace(
                entry, supervisor_comments=tuple(supervisor_comments[stored.id])
            )
        if request.concept is None or request.concept in entry.concepts:
            entries.append(entry)

    start = request.start or (entries[0].started.date() if entries else today)
    end = request.end or max(today, entries[-1].started.date() if entries else today)
    referenced = {slug for entry in entries for slug in entry.concepts}
    return Journal(
        request=request,
        start=start,
        end=end,
        zone_name=zone_name,
        exported_at=exported_at.astimezone(zone),
        author=author,
        entries=tuple(entries),
        glossary=_glossary(referenced, catalog),
        totals=_totals(entries, catalog),
        filter_label=_filter_label(request, catalog),
        goals=_goals_within(goals, request, start, end),
    )


def _goals_within(
    goals: Iterable[ExportedGoal], request: ExportRequest, start: date, end: date
) -> tuple[ExportedGoal, ...]:
    """Goals set within the journal's dates; none in an export of one program or concept."""
    if request.program is not None or request.concept is not None:
        return ()
    return tuple(goal for goal in goals if start <= goal.set_on <= end)


def _wanted(stored: StoredReflection, local_day: date, request: ExportRequest) -> bool:
    if stored.status not in EXPORTED_STATUSES or not stored.answers:
        return False
    if request.program is not None and stored.program_id != request.program:
        return False
    if request.start is not None and local_day < request.start:
        return False
    return request.end is None or local_day <= request.end


def _entry(
    stored: StoredReflection,
    started: datetime,
    catalog: Catalog,
    matcher: ConceptMatcher,
    steps_by_program: Mapping[str, Mapping[str, Step]],
    by_meaning: bool = False,
) -> JournalEntry:
    program = catalog.programs.get(stored.program_id)
    steps = steps_by_program.get(stored.program_id, {})
    answers: list[JournalAnswer] = []
    written: list[str] = []
    for stored_answer in sorted(stored.answers, key=lambda a: a.position):
        step = steps.get(stored_answer.step_id)
        scale = None
        if step is not None and step.kind is StepKind.RATING and step.low_label and step.high_label:
            scale = (step.low_label, step.high_label)
        if stored_answer.kind == AnswerKind.TEXT and stored_answer.text:
            written.append(stored_answer.text)
        answers.append(
            JournalAnswer(
                step_id=stored_answer.step_id,
                question=stored_answer.question,
                kind=stored_answer.kind,
                text=stored_answer.text,
                rating=stored_answer.rating,
                scale=scale,
                choice=stored_answer.choice,
                choice_label=stored_answer.choice_label or stored_answer.choice,
                edited=stored_answer.edited,
                answer_id=stored_answer.answer_id,
                flagged=stored_answer.flagged,
            )
        )
    concepts = list(program.concepts if program else ())
    touched: tuple[tuple[str, str], ...] = ()
    if by_meaning:
        texts = {a.position: a.text for a in stored.answers if a.text}
        counted = {c.slug: c for c in stored.carried if c.counts and c.slug in catalog.concepts}
        touched = tuple(
            (slug, excerpt_of(counted[slug], texts)) for slug in catalog.concepts if slug in counted
        )
        concepts += [slug for slug, _ in touched if slug not in concepts]
    elif written:
        # One scan per reflection; a blank line between answers keeps phrases from joining
        # the end of one answer to the start of the next.
        named = matcher.slugs("\n|\n".join(written))
        concepts += [slug for slug in catalog.concepts if slug in named and slug not in concepts]
    return JournalEntry(
        reflection_id=stored.id,
        started=started,
        program_id=stored.program_id,
        program_title=stored.program_title,
        status=stored.status,
        minutes=cpd_minutes(stored.seconds_spent),
        answers=tuple(answers),
        concepts=tuple(slug for slug in concepts if slug in catalog.concepts),
        touched=touched,
    )


def _totals(entries: Sequence[JournalEntry], catalog: Catalog) -> Totals:
    checkin = catalog.program_id_for(Role.CHECKIN)
    repair = catalog.program_id_for(Role.REPAIR)
    return Totals(
        reflections=len(entries),
        answers=sum(1 for e in entries for a in e.answers if a.kind != AnswerKind.SKIPPED),
        cpd_minutes=sum(entry.minutes for entry in entries),
        ruptures=sum(1 for entry in entries if _reports_rupture(entry, checkin)),
        repairs=sum(1 for e in entries if e.program_id == repair and e.finished),
    )


def _reports_rupture(entry: JournalEntry, checkin: str | None) -> bool:
    """A check-in whose rupture answer reports a strain, counted as the digest counts it."""
    return entry.program_id == checkin and any(
        answer.step_id == CHECKIN_RUPTURE_STEP and answer.choice in RUPTURE_KINDS
        for answer in entry.answers
    )


def _glossary(slugs: Collection[str], catalog: Catalog) -> tuple[GlossaryEntry, ...]:
    concepts = [catalog.concepts[slug] for slug in catalog.concepts if slug in slugs]
    # Alphabetical as a reader looks things up: "The therapeutic alliance" under T-h-e-r…
    concepts.sort(key=lambda concept: (_sort_name(concept.name), concept.slug))
    return tuple(_glossary_entry(concept, catalog) for concept in concepts)


def _sort_name(name: str) -> str:
    folded = name.casefold()
    return folded.removeprefix("the ") if folded.startswith("the ") else folded


def _glossary_entry(concept: Concept, catalog: Catalog) -> GlossaryEntry:
    notes = []
    for ref in concept.sources:
        document = catalog.sources.get(ref.document)
        byline = None
        if document is not None and document.authors and document.year:
            byline = f"{document.authors[0].split()[-1]}, {document.year}"
        notes.append(
            SourceNote(
                document=document.label if document else ref.document,
                title=document.title if document else ref.document,
                byline=byline,
                section=ref.section,
                lines=ref.lines,
                references=tuple(ref.references),
            )
        )
    return GlossaryEntry(
        slug=concept.slug,
        name=concept.name,
        summary=concept.summary,
        caveat=concept.caveat,
        sources=tuple(notes),
    )


def _filter_label(request: ExportRequest, catalog: Catalog) -> str | None:
    if request.program is not None and request.program in catalog.programs:
        return catalog.programs[request.program].title
    if request.concept is not None and request.concept in catalog.concepts:
        return catalog.concepts[request.concept].name
    return None
