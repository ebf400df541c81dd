"""The weekly digest, as a pure function of one clinician's week and a little history.

`build_digest` turns what the repository loaded (`WeekActivity`, `History`) into a
`WeeklyDigest`: what was done, the alliance ratings against the four weeks before, ruptures
and repairs, the concepts touched, a few of the clinician's own words and a suggested focus
with the rule that chose it. It reads no clock, no database and no Telegram; the renderer
turns its result into a message.

Weeks are ISO weeks (Monday to Sunday) in the clinician's own time zone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from reflect_bot.catalog import (
    CHECKIN_RATING_STEPS,
    CHECKIN_RUPTURE_OPTIONS,
    CHECKIN_RUPTURE_STEP,
    Role,
)
from reflect_bot.domain.goals import GoalsInDigest
from reflect_bot.domain.journaling import cpd_minutes
from reflect_bot.domain.mentions import ConceptMatcher
from reflect_bot.domain.suggestions import CarriedConcept, excerpt_of

if TYPE_CHECKING:
    from reflect_bot.catalog import Catalog, Concept

__all__ = [
    "ALLIANCE_STEPS",
    "CLIENT_GUESS_STEP",
    "CLIENT_REPORTED_STEP",
    "DIGEST_RATING_STEPS",
    "DIP_TENTHS",
    "EMPATHY_GAP_WEEKS",
    "MAX_PROGRAM_CONCEPTS",
    "MIN_CHECKINS_TO_COMPARE",
    "PREVIOUS_WEEKS",
    "RUPTURE_KINDS",
    "RUPTURE_STEP",
    "AllianceMeasure",
    "ClientView",
    "ClientViewMeasure",
    "ConceptLookup",
    "ConceptTouched",
    "DigestPrograms",
    "DoneReflection",
    "Excerpt",
    "Focus",
    "FocusRule",
    "History",
    "IsoWeek",
    "ProgramDone",
    "RatingTally",
    "RuptureReport",
    "SourceBrief",
    "WeekActivity",
    "WeeklyDigest",
    "WrittenAnswer",
    "build_digest",
    "cut_cleanly",
    "digest_week_for",
    "source_brief",
    "unrepaired",
]

#: The check-in ratings the digest averages (client_rating is the client's view, not the alliance).
ALLIANCE_STEPS: tuple[str, ...] = tuple(s for s in CHECKIN_RATING_STEPS if s != "client_rating")
RUPTURE_STEP = CHECKIN_RUPTURE_STEP
#: The clinician's guess of how the client would rate the session, and the client's own
#: score when the clinician asked and was given one: the digest keeps the two apart.
CLIENT_GUESS_STEP = "client_rating"
CLIENT_REPORTED_STEP = "client_reported"
#: The check-in ratings a digest reads (the repository loads exactly these).
DIGEST_RATING_STEPS: tuple[str, ...] = (*ALLIANCE_STEPS, CLIENT_GUESS_STEP, CLIENT_REPORTED_STEP)
#: A change in the client's view is shown only with at least this many check-ins in each
#: period: an average of one or two scores moves too much to mean anything.
MIN_CHECKINS_TO_COMPARE = 3
#: Check-in rupture answers that report a strain, in the order the digest lists them.
RUPTURE_KINDS: tuple[str, ...] = tuple(o for o in CHECKIN_RUPTURE_OPTIONS if o != "none")
#: The alliance is compared with this many weeks before the digest's week.
PREVIOUS_WEEKS = 4
#: A week's average this many tenths below the weeks before counts as a dip.
DIP_TENTHS = 5
#: No empathy reflection in this many weeks (the digest's week included) suggests one.
EMPATHY_GAP_WEEKS = 3
#: Concepts from the programs done are shown up to this many; concepts named in answers always.
MAX_PROGRAM_CONCEPTS = 8
EXCERPT_LENGTH = 220
#: A dip in these ratings points at the program that looks at that part of the alliance.
_DIP_ROLES: Mapping[str, Role] = {
    "bond": Role.BOND,
    "goals": Role.COLLABORATION,
    "tasks": Role.COLLABORATION,
    "overall": Role.BOND,
}
_EPOCH_MONDAY = date(1970, 1, 5)


# --------------------------------------------------------------------------- weeks


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """An ISO week (Monday to Sunday), e.g. 2026-W45."""

    year: int
    week: int

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        calendar = day.isocalendar()
        return cls(calendar.year, calendar.week)

    @classmethod
    def from_index(cls, index: int) -> IsoWeek:
        return cls.containing(_EPOCH_MONDAY + timedelta(weeks=index))

    @property
    def start(self) -> date:
        """Its Monday."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """Its Sunday."""
        return self.start + timedelta(days=6)

    @property
    def index(self) -> int:
        """Weeks since the ISO week of 1970-01-05: consecutive weeks have consecutive indexes."""
        return (self.start - _EPOCH_MONDAY).days // 7

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.from_index(self.index + weeks)

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[local Monday 00:00, next local Monday 00:00) as UTC instants.

        A midnight that a clock change skips moves forward; a repeated one is its first
        occurrence (zoneinfo's fold=0), as everywhere else in the bot.
        """
        start = datetime.combine(self.start, time(0), tzinfo=zone)
        end = datetime.combine(self.start + timedelta(days=7), time(0), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def digest_week_for(local_day: date) -> IsoWeek:
    """The week a digest sent on `local_day` looks back on.

    From Friday to Sunday most of the week is behind the clinician, so it is that week (so
    far); from Monday to Thursday it is the week just finished.
    """
    week = IsoWeek.containing(local_day)
    return week if local_day.isoweekday() >= 5 else week.shifted(-1)


# --------------------------------------------------------------------------- input


# The records below are NamedTuples: a batch of 10,000 weeks holds hundreds of thousands of
# them, and tuples of plain values are cheap to make and soon ignored by the garbage collector.


class DoneReflection(NamedTuple):
    """A reflection completed in the week."""

    id: int
    program_id: str
    program_title: str  # as it was when done
    finished_at: datetime
    seconds_spent: int


class WrittenAnswer(NamedTuple):
    """A text answer of one of the week's reflections, decrypted."""

    reflection_id: int
    position: int
    text: str
    #: Flagged by the identifying-details check and kept as it is: never quoted.
    flagged: bool = False

    @property
    def quotable(self) -> bool:
        return not self.flagged and bool(self.text.strip())


class RuptureReport(NamedTuple):
    """A check-in that reported a strain (any rupture answer other than "none")."""

    reflection_id: int
    kind: str


class RatingTally(NamedTuple):
    """The sum and number of one rating's answers; averages pool answers, not weeks."""

    total: int = 0
    answers: int = 0

    @property
    def tenths(self) -> int | None:
        """The average in tenths, rounded half up (4.25 → 43), as the digest shows it."""
        return (20 * self.total + self.answers) // (2 * self.answers) if self.answers else None


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """What one clinician did in one ISO week of their time zone (the repository loads it)."""

    week: IsoWeek
    zone: str
    reflections: tuple[DoneReflection, ...] = ()
    answers: tuple[WrittenAnswer, ...] = ()
    ruptures: tuple[RuptureReport, ...] = ()
    ratings: Mapping[str, RatingTally] = field(default_factory=dict)
    prompts_delivered: int = 0
    #: The concept cards each reflection carried by meaning (and kept or removed), by id.
    carried: Mapping[int, tuple[CarriedConcept, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class History:
    """What the digest needs from the weeks before its week."""

    #: Weeks in a row with at least one completed reflection, ending the week before.
    weeks_in_a_row: int = 0
    #: The most recent earlier week with an empathy reflection, if within the lookback.
    last_empathy_week: IsoWeek | None = None
    #: Check-in ratings of the `PREVIOUS_WEEKS` weeks before, pooled.
    previous_ratings: Mapping[str, RatingTally] = field(default_factory=dict)
    #: When the clinician started using the bot (None: not known). The digest speaks only
    #: of time they have actually been here ("no empathy reflection in 3 weeks").
    joined_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DigestPrograms:
    """The programs the digest reads by role; None where a catalog has no such program."""

    checkin: str | None
    repair: str | None
    empathy: str | None

    @classmethod
    def of(cls, catalog: Catalog) -> DigestPrograms:
        return cls(
            checkin=catalog.program_id_for(Role.CHECKIN),
            repair=catalog.program_id_for(Role.REPAIR),
            empathy=catalog.program_id_for(Role.EMPATHY),
        )


# --------------------------------------------------------------------------- output


@dataclass(frozen=True, slots=True)
class ProgramDone:
    program_id: str
    title: str
    times: int


@dataclass(frozen=True, slots=True)
class AllianceMeasure:
    """One check-in rating: this week's average and that of the four weeks before, in tenths
    (exact integers, so the change shown is the difference of the averages shown)."""

    step_id: str
    tenths: int | None
    previous_tenths: int | None

    @property
    def change_tenths(self) -> int | None:
        if self.tenths is None or self.previous_tenths is None:
            return None
        return self.tenths - self.previous_tenths


@dataclass(frozen=True, slots=True)
class ClientViewMeasure:
    """One view of how the session was for the client: the week's average and the four weeks
    before, in tenths, with how many check-ins each average pools."""

    tenths: int | None
    checkins: int
    previous_tenths: int | None
    previous_checkins: int

    @property
    def comparable(self) -> bool:
        return min(self.checkins, self.previous_checkins) >= MIN_CHECKINS_TO_COMPARE

    @property
    def change_tenths(self) -> int | None:
        """The change, only when both periods have enough check-ins to compare."""
        if not self.comparable or self.tenths is None or self.previous_tenths is None:
            return None
        return self.tenths - self.previous_tenths


@dataclass(frozen=True, slots=True)
class ClientView:
    """The client's view, guessed by the clinician and reported by the client, kept apart."""

    guessed: ClientViewMeasure
    reported: ClientViewMeasure


@dataclass(frozen=True, slots=True)
class SourceBrief:
    """A card's first source in a few words, e.g. ("Review", "Therapeutic Alliance")."""

    document: str
    section: str


@dataclass(frozen=True, slots=True)
class ConceptTouched:
    """A concept the week's reflections touched, and how."""

    slug: str
    name: str
    source: SourceBrief
    phrases: tuple[str, ...]  # the clinician's words that named it (empty: from a program)
    from_programs: tuple[str, ...]  # titles of the week's programs that exercise it
    #: The clinician's own sentence that carried it, recognised by meaning or kept by them
    #: ("" when only named literally, or only exercised by a program).
    excerpt: str = ""

    @property
    def named_in_answers(self) -> bool:
        return bool(self.phrases) or bool(self.excerpt)


@dataclass(frozen=True, slots=True)
class Excerpt:
    text: str
    program_title: str
    day: date  # local date of the reflection


class FocusRule(StrEnum):
    """Why a program is suggested; checked in this order, the first that applies wins."""

    UNREPAIRED_RUPTURE = "unrepaired_rupture"
    ALLIANCE_DIP = "alliance_dip"
    NO_EMPATHY = "no_empathy"
    NOT_DONE_THIS_WEEK = "not_done_this_week"


@dataclass(frozen=True, slots=True)
class Focus:
    program_id: str
    program_title: str
    rule: FocusRule
    step_id: str | None = None  # ALLIANCE_DIP: the rating that fell
    day: date | None = None  # UNREPAIRED_RUPTURE: when the latest unrepaired one was reported


@dataclass(frozen=True, slots=True)
class WeeklyDigest:
    """Everything one digest says; an empty week has no statistics at all."""

    week: IsoWeek
    so_far: bool  # shown before the week is over (/digest during the week)
    completed: int = 0
    prompts_delivered: int = 0
    programs: tuple[ProgramDone, ...] = ()
    cpd_minutes: int = 0
    weeks_in_a_row: int = 0
    alliance: tuple[AllianceMeasure, ...] = ()
    client_view: ClientView | None = None
    ruptures: tuple[tuple[str, int], ...] = ()  # (kind, count), kinds in RUPTURE_KINDS order
    ruptures_repaired: int = 0
    concepts: tuple[ConceptTouched, ...] = ()
    concepts_left_out: int = 0  # program concepts beyond MAX_PROGRAM_CONCEPTS
    excerpts: tuple[Excerpt, ...] = ()
    focus: Focus | None = None
    goals: GoalsInDigest | None = None  # learning goals coming back and closed (domain/goals)

    @property
    def is_empty(self) -> bool:
        return self.completed == 0

    @property
    def ruptures_reported(self) -> int:
        return sum(count for _, count in self.ruptures)


# --------------------------------------------------------------------------- building


def build_digest(
    week: WeekActivity,
    history: History,
    catalog: Catalog,
    *,
    zone: tzinfo,
    so_far: bool = False,
    concepts: ConceptLookup | None = None,
    by_meaning: bool = False,
    goals: GoalsInDigest | None = None,
) -> WeeklyDigest:
    """The digest of `week`; `so_far` when it is shown before the week is over.

    `by_meaning`: "What you reflected on" holds the concepts the reflections carried by
    meaning (`week.carried`, recognised when each was completed) and those the clinician
    kept, each with the sentence that carried it, instead of cards named word for word.

    `zone` is the clinician's resolved time zone (`timezones.resolve(week.zone)`);
    `concepts` is `ConceptLookup.of(catalog)`, prepared once and shared by every digest
    (`Services.concept_lookup`); without it one is prepared for this digest alone.
    """
    done = sorted(week.reflections, key=lambda r: (r.finished_at, r.id))
    if not done:
        return WeeklyDigest(
            week=week.week, so_far=so_far, prompts_delivered=week.prompts_delivered, goals=goals
        )

    lookup = concepts or ConceptLookup.of(catalog)
    programs = DigestPrograms.of(catalog)
    by_id = {reflection.id: reflection for reflection in done}
    answers = [answer for answer in week.answers if answer.reflection_id in by_id]
    # Only the check-in's rupture question counts (the repair program asks its own).
    ruptures = [
        r
        for r in week.ruptures
        if r.kind in RUPTURE_KINDS
        and r.reflection_id in by_id
        and by_id[r.reflection_id].program_id == programs.checkin
    ]
    open_ruptures = unrepaired(ruptures, done, programs.repair)
    alliance = _alliance(week.ratings, history)
    meant = _by_meaning(answers, week) if by_meaning else None
    touched, left_out = _concepts(done, answers, lookup, meant)
    return WeeklyDigest(
        week=week.week,
        so_far=so_far,
        completed=len(done),
        prompts_delivered=week.prompts_delivered,
        programs=_programs(done),
        cpd_minutes=sum(cpd_minutes(r.seconds_spent) for r in done),
        weeks_in_a_row=history.weeks_in_a_row + 1,
        alliance=alliance,
        client_view=_client_view(week.ratings, history.previous_ratings),
        ruptures=tuple(
            (kind, count)
            for kind in RUPTURE_KINDS
            if (count := sum(1 for r in ruptures if r.kind == kind))
        ),
        ruptures_repaired=len(ruptures) - len(open_ruptures),
        concepts=touched,
        concepts_left_out=left_out,
        excerpts=_excerpts(answers, by_id, zone),
        focus=_focus(week.week, done, open_ruptures, alliance, history, catalog, programs, zone),
        goals=goals,
    )


@dataclass(frozen=True, slots=True)
class ConceptLookup:
    """What digests read of the catalog's concepts, prepared once per catalog (compiling its
    matcher takes milliseconds: prepare it once, not per digest)."""

    matcher: ConceptMatcher
    order: Mapping[str, int]  # catalog order, to break ties
    names: Mapping[str, str]
    sources: Mapping[str, SourceBrief]
    of_program: Mapping[str, tuple[str, ...]]  # the concepts each program exercises

    @classmethod
    def of(cls, catalog: Catalog) -> ConceptLookup:
        return cls(
            matcher=ConceptMatcher(catalog.concepts.values()),
            order={slug: n for n, slug in enumerate(catalog.concepts)},
            names={slug: concept.name for slug, concept in catalog.concepts.items()},
            sources={slug: source_brief(catalog, c) for slug, c in catalog.concepts.items()},
            of_program={
                pid: tuple(s for s in p.concepts if s in catalog.concepts)
                for pid, p in catalog.programs.items()
            },
        )


def _programs(done: Sequence[DoneReflection]) -> tuple[ProgramDone, ...]:
    """Each program once, most often first, then in the order first done."""
    times = Counter(r.program_id for r in done)
    titles: dict[str, str] = {}
    for reflection in done:
        titles.setdefault(reflection.program_id, reflection.program_title)
    order = list(titles)
    ranked = sorted(order, key=lambda pid: (-times[pid], order.index(pid)))
    return tuple(ProgramDone(pid, titles[pid], times[pid]) for pid in ranked)


def unrepaired(
    ruptures: Sequence[RuptureReport], done: Sequence[DoneReflection], repair: str | None
) -> list[DoneReflection]:
    """The check-ins whose rupture no later repair reflection of the week answered.

    Each repair reflection answers one rupture: the latest one still open before it.
    """
    reported = {r.reflection_id for r in ruptures}
    open_checkins: list[DoneReflection] = []
    for reflection in done:  # in the order they were finished
        if reflection.id in reported:
            open_checkins.append(reflection)
        elif reflection.program_id == repair and open_checkins:
            open_checkins.pop()
    return open_checkins


def _alliance(ratings: Mapping[str, RatingTally], history: History) -> tuple[AllianceMeasure, ...]:
    """The week's averages next to the pooled averages of the weeks before (no check-ins: none)."""
    previous = history.previous_ratings
    measures = tuple(
        AllianceMeasure(
            step,
            ratings.get(step, RatingTally()).tenths,
            previous.get(step, RatingTally()).tenths,
        )
        for step in ALLIANCE_STEPS
    )
    return measures if any(m.tenths is not None for m in measures) else ()


def _client_view(
    ratings: Mapping[str, RatingTally], previous: Mapping[str, RatingTally]
) -> ClientView | None:
    """Guessed and reported views of the client, side by side (none this week: no section)."""

    def measure(step: str) -> ClientViewMeasure:
        now, before = ratings.get(step, RatingTally()), previous.get(step, RatingTally())
        return ClientViewMeasure(now.tenths, now.answers, before.tenths, before.answers)

    guessed, reported = measure(CLIENT_GUESS_STEP), measure(CLIENT_REPORTED_STEP)
    if guessed.checkins == 0 and reported.checkins == 0:
        return None
    return ClientView(guessed, reported)


class _ByMeaning(NamedTuple):
    """Concepts the week's reflections carried by meaning (or the clinician kept): how many
    reflections carried each, and the first sentence that did."""

    times: Counter[str]
    excerpts: dict[str, str]


def _by_meaning(answers: Sequence[WrittenAnswer], week: WeekActivity) -> _ByMeaning:
    """The cards the week's reflections carried, except those the clinician removed: how
    many reflections carried each, and the first sentence that did."""
    found = _ByMeaning(Counter(), {})
    written: dict[int, dict[int, str]] = {}
    for answer in answers:
        written.setdefault(answer.reflection_id, {})[answer.position] = answer.text
    for reflection_id in sorted(week.carried):  # ids grow with time: the earliest first
        texts = written.get(reflection_id)
        if texts is None:  # not one of the week's completed reflections
            continue
        for card in week.carried[reflection_id]:
            if not card.counts:
                continue
            found.times[card.slug] += 1
            if not found.excerpts.get(card.slug):
                found.excerpts[card.slug] = excerpt_of(card, texts)
    return found


def _concepts(
    done: Sequence[DoneReflection],
    answers: Sequence[WrittenAnswer],
    lookup: ConceptLookup,
    by_meaning: _ByMeaning | None = None,
) -> tuple[tuple[ConceptTouched, ...], int]:
    """Concepts named in the answers (literally, or by meaning when `by_meaning` is given) or
    kept by the clinician, all of them, most often first; then the programs'."""
    phrases: dict[str, list[str]] = {}
    times_named: Counter[str] = Counter()
    in_order = sorted(answers, key=lambda a: (a.reflection_id, a.position))
    # By meaning, a name counts only where the answer means it ("the data projector broke"
    # names no concept): recognition already weighs literal names and vetoes traps.
    literal = in_order if by_meaning is None else []
    for mention in lookup.matcher.all_mentions(answer.text for answer in literal):
        times_named[mention.slug] += 1
        if mention.phrase not in phrases.setdefault(mention.slug, []):
            phrases[mention.slug].append(mention.phrase)
    excerpts: dict[str, str] = {}
    if by_meaning is not None:
        excerpts = {s: e for s, e in by_meaning.excerpts.items() if s in lookup.names}
        for slug in excerpts:
            times_named[slug] = max(times_named[slug], by_meaning.times[slug])
    order = lookup.order
    named = sorted({*phrases, *excerpts}, key=lambda slug: (-times_named[slug], order.get(slug, 0)))

    program_titles: dict[str, list[str]] = {}
    for reflection in done:
        for slug in lookup.of_program.get(reflection.program_id, ()):
            titles = program_titles.setdefault(slug, [])
            if reflection.program_title not in titles:
                titles.append(reflection.program_title)
    from_programs = sorted(
        (slug for slug in program_titles if slug not in phrases and slug not in excerpts),
        key=lambda slug: (-len(program_titles[slug]), order.get(slug, 0)),
    )
    shown = [s for s in named + from_programs[:MAX_PROGRAM_CONCEPTS] if s in lookup.names]
    touched = tuple(
        ConceptTouched(
            slug=slug,
            name=lookup.names[slug],
            source=lookup.sources[slug],
            phrases=tuple(phrases.get(slug, ())),
            from_programs=tuple(program_titles.get(slug, ())),
            excerpt=excerpts.get(slug, ""),
        )
        for slug in shown
    )
    return touched, max(0, len(from_programs) - MAX_PROGRAM_CONCEPTS)


def source_brief(catalog: Catalog, concept: Concept) -> SourceBrief:
    """The card's first source in a few words: which document, and its section."""
    ref = concept.sources[0]
    document = catalog.sources.get(ref.document)
    return SourceBrief(document.label if document else ref.document, ref.section)


def _excerpts(
    answers: Sequence[WrittenAnswer], by_id: Mapping[int, DoneReflection], zone: tzinfo
) -> tuple[Excerpt, ...]:
    """The week's longest answer, and the longest from another reflection, cut cleanly;
    never one that seemed to identify a client and was kept as it was."""
    ranked = sorted(
        (a for a in answers if a.quotable),
        key=lambda a: (-len(a.text.strip()), by_id[a.reflection_id].finished_at, a.position),
    )
    chosen: list[WrittenAnswer] = []
    for answer in ranked:
        if all(answer.reflection_id != c.reflection_id for c in chosen):
            chosen.append(answer)
        if len(chosen) == 2:
            break
    chosen.sort(key=lambda a: (by_id[a.reflection_id].finished_at, a.position))
    return tuple(
        Excerpt(
            cut_cleanly(answer.text, EXCERPT_LENGTH),
            by_id[answer.reflection_id].program_title,
            by_id[answer.reflection_id].finished_at.astimezone(zone).date(),
        )
        for answer in chosen
    )


_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


def cut_cleanly(text: str, limit: int) -> str:
    """`text` on one line, cut to at most `limit` characters at a sentence end or between words.

    A cut at a sentence end is marked " …", one between words "…"; a single word longer
    than the limit is cut inside it as a last resort.
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    room = flat[: limit - 1]
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(flat[: limit - 1])]
    if sentence_ends and sentence_ends[-1] >= limit // 2:
        return flat[: sentence_ends[-1]] + " …"
    space = room.rfind(" ")
    if space > 0:
        return room[:space].rstrip(" ,;:-–—") + "…"
    return room + "…"


def weeks_known(history: History, week: IsoWeek, zone: tzinfo) -> int:
    """How many weeks, up to and including `week`, the clinician has been using the bot
    (0 when not known): their first week counts, however late in it they joined."""
    if history.joined_at is None:
        return 0
    joined = IsoWeek.containing(history.joined_at.astimezone(zone).date())
    return max(0, week.index - joined.index + 1)


def _focus(
    week: IsoWeek,
    done: Sequence[DoneReflection],
    unrepaired: Sequence[DoneReflection],
    alliance: Sequence[AllianceMeasure],
    history: History,
    catalog: Catalog,
    programs: DigestPrograms,
    zone: tzinfo,
) -> Focus | None:
    """The first rule of `FocusRule` that applies picks next week's program."""

    def focus(
        program_id: str | None,
        rule: FocusRule,
        *,
        step_id: str | None = None,
        day: date | None = None,
    ) -> Focus | None:
        program = None if program_id is None else catalog.programs.get(program_id)
        return None if program is None else Focus(program.id, program.title, rule, step_id, day)

    if unrepaired:
        latest = max(unrepaired, key=lambda r: r.finished_at)
        day = latest.finished_at.astimezone(zone).date()
        if chosen := focus(programs.repair, FocusRule.UNREPAIRED_RUPTURE, day=day):
            return chosen
    dips = [m for m in alliance if (m.change_tenths or 0) <= -DIP_TENTHS]
    if dips:
        deepest = min(dips, key=lambda m: (m.change_tenths or 0, ALLIANCE_STEPS.index(m.step_id)))
        program_id = catalog.program_id_for(_DIP_ROLES[deepest.step_id])
        if chosen := focus(program_id, FocusRule.ALLIANCE_DIP, step_id=deepest.step_id):
            return chosen
    done_ids = {r.program_id for r in done}
    empathy_recently = programs.empathy in done_ids or (
        history.last_empathy_week is not None
        and history.last_empathy_week.index > week.index - EMPATHY_GAP_WEEKS
    )
    here_long_enough = weeks_known(history, week, zone) >= EMPATHY_GAP_WEEKS
    if (
        not empathy_recently
        and here_long_enough
        and (chosen := focus(programs.empathy, FocusRule.NO_EMPATHY))
    ):
        return chosen
    for program in catalog.programs_in_menu_order():
        if program.id not in done_ids and program.role is not Role.CHECKIN:
            return focus(program.id, FocusRule.NOT_DONE_THIS_WEEK)
    return None
