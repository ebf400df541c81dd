"""The week behind a digest, loaded for one clinician or thousands at once, and sent digests.

Loading takes the same seven queries for one clinician or 10,000 (per `BATCH` clinicians):
the week's reflections, their text answers and rupture reports, the concept cards they
carried (kept or removed), the check-in ratings of the week and of the four before, the streak and
the last empathy reflection, and the prompts sent. Ratings and history are aggregated in
SQL; only what the digest shows as words is fetched row by row.

Each clinician's weeks are ISO weeks of their own time zone. SQL has no portable time-zone
arithmetic, so the queries carry it as CASE expressions on the clinician's zone (`_Span`):
where a week starts for each zone among the batch's clinicians, and, for the streak, each
zone's UTC offset over the months looked at, so local wall-clock seconds divided into weeks
give the ISO week. Both are exact across DST changes, on SQLite and PostgreSQL alike.

Why not select UTC rows and put them into `IsoWeek`s in Python: measured for issue #14
(bench/results/P3.md), it gives the same weeks for all 10,000 clinicians but ships every
check-in and every reflection of two years to Python instead of one row per clinician, and
loading took 28 % more CPU, which P3's 5-second budget does not have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Row,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.db.models import (
    Answer,
    Clinician,
    Delivery,
    Digest,
    Reflection,
    ReflectionConcept,
)
from reflect_bot.db.statements import insert_or_ignore, rowcount, table_of
from reflect_bot.db.types import UTCDateTime
from reflect_bot.domain.digest import (
    DIGEST_RATING_STEPS,
    PREVIOUS_WEEKS,
    RUPTURE_KINDS,
    RUPTURE_STEP,
    DigestPrograms,
    DoneReflection,
    History,
    IsoWeek,
    RatingTally,
    RuptureReport,
    WeekActivity,
    WrittenAnswer,
)
from reflect_bot.domain.suggestions import CarriedConcept
from reflect_bot.domain.timezones import clinician_zone

__all__ = [
    "BATCH",
    "STREAK_LOOKBACK_WEEKS",
    "ClinicianWeek",
    "load_week",
    "load_weeks",
    "record_sent",
    "sent_digest",
]

#: Clinicians per set of queries (bound parameters stay well below both databases' limits).
BATCH = 10_000
#: The streak is counted back at most this far (two years).
STREAK_LOOKBACK_WEEKS = 104

# A select of any columns (SQLAlchemy types a Select by its row's column types).
_Query = Select[*tuple[Any, ...]]
_WEEK_SECONDS = 7 * 24 * 3600
# 1970-01-05, the first Monday of the Unix epoch, in seconds: week indexes count from it.
_EPOCH_MONDAY_SECONDS = 4 * 24 * 3600
_COMPLETED = "completed"

# Core tables: digests read columns, not objects, so 10,000 weeks load without ORM overhead.
_reflections = table_of(Reflection)
_answers = table_of(Answer)
_clinicians = table_of(Clinician)
_deliveries = table_of(Delivery)
_reflection = _reflections.c
_answer = _answers.c
_clinician = _clinicians.c
_digests = table_of(Digest)
_kept = table_of(ReflectionConcept).c
_delivery = _deliveries.c
_digest = _digests.c
# A delivery in one of these states never sent its digest; a later one may take the week.
_NEVER_SENT = ("failed", "skipped", "missed")


@dataclass(frozen=True, slots=True)
class ClinicianWeek:
    """One clinician's week and history, ready for `build_digest`."""

    zone: tzinfo
    week: WeekActivity
    history: History


async def load_week(
    session: AsyncSession, *, clinician: Clinician, week: IsoWeek, programs: DigestPrograms
) -> ClinicianWeek:
    """One clinician's `week` (an ISO week of their time zone) and what came before it."""
    if clinician.id is None:
        raise ValueError("the clinician has not been stored yet")
    loaded = await load_weeks(
        session, clinicians=[(clinician.id, clinician.timezone)], week=week, programs=programs
    )
    return loaded[clinician.id]


async def load_weeks(
    session: AsyncSession,
    *,
    clinicians: Iterable[tuple[int, str | None]],
    week: IsoWeek,
    programs: DigestPrograms,
    side_sessions: async_sessionmaker[AsyncSession] | None = None,
) -> dict[int, ClinicianWeek]:
    """The same ISO `week` for many clinicians, given as (id, time zone name) pairs.

    `programs` names the check-in (its ratings and rupture reports are read) and the empathy
    program (the last week with one is read); the catalog knows them.

    Seven queries per `BATCH` clinicians, however many there are. With `side_sessions` they
    run at once on connections of their own (`session` is then not used): on a machine with
    two cores a large batch loads in about half the time.
    """
    pairs = list(dict(clinicians).items())
    loaded: dict[int, ClinicianWeek] = {}
    for start in range(0, len(pairs), BATCH):
        batch = pairs[start : start + BATCH]
        loaded.update(await _load_batch(session, batch, week, programs, side_sessions))
    return loaded


@dataclass
class _Gathered:
    reflections: list[DoneReflection] = field(default_factory=list)
    answers: list[WrittenAnswer] = field(default_factory=list)
    ruptures: list[RuptureReport] = field(default_factory=list)
    ratings: dict[str, RatingTally] = field(default_factory=dict)
    previous_ratings: dict[str, RatingTally] = field(default_factory=dict)
    weeks_in_a_row: int = 0
    last_empathy_week: IsoWeek | None = None
    prompts: int = 0
    joined_at: datetime | None = None
    carried: dict[int, list[CarriedConcept]] = field(default_factory=dict)


async def _load_batch(
    session: AsyncSession,
    pairs: Sequence[tuple[int, str | None]],
    week: IsoWeek,
    programs: DigestPrograms,
    side_sessions: async_sessionmaker[AsyncSession] | None,
) -> dict[int, ClinicianWeek]:
    zones = {cid: clinician_zone(name) for cid, name in pairs}
    ids = [cid for cid, _ in pairs]
    if not ids:
        return {}
    queries = _Queries(ids, programs, _Span(week, dict(zones.values()), _dialect(session)))
    gathered = {cid: _Gathered() for cid in ids}
    # Each query's rows are taken in as they are read, never all held at once.
    steps: list[tuple[_Query, _Take]] = [
        (queries.reflections(), _take_reflections),
        (queries.answers(), _take_answers),
        (queries.carried(), _take_carried),
        (queries.prompts(), _take_prompts),
        (queries.history(), _take_history),
        (queries.ratings(), _take_ratings),
        (queries.joined(), _take_joined),
    ]
    if side_sessions is None:
        for statement, take in steps:
            take(await session.execute(statement), gathered)
    else:
        # All at once, each on a connection of its own: the database works on the aggregates
        # while this thread decrypts the answers as they arrive.
        async with asyncio.TaskGroup() as group:
            for statement, take in steps:
                group.create_task(_fetch_into(side_sessions, statement, take, gathered))
    return {cid: _assemble(zones[cid], week, gathered[cid]) for cid in ids}


@dataclass(frozen=True)
class _Queries:
    """The seven statements of one batch."""

    ids: list[int]
    programs: DigestPrograms
    span: _Span

    @staticmethod
    def _is(program_id: str | None) -> ColumnElement[bool]:
        # A catalog without the program: an empty IN, which no row matches.
        return _reflection.program_id.in_([program_id] if program_id is not None else [])

    @property
    def _with_zone(self) -> Any:
        return _reflections.join(_clinicians, _clinician.id == _reflection.clinician_id)

    def _completed_in(self, first: int, end: int) -> ColumnElement[bool]:
        return and_(
            _reflection.clinician_id.in_(self.ids),
            _reflection.status == _COMPLETED,
            self.span.within(_reflection.finished_at, first, end),
        )

    def reflections(self) -> _Query:
        """The week's completed reflections."""
        current = self.span.week.index
        return (
            select(
                _reflection.id,
                _reflection.clinician_id,
                _reflection.program_id,
                _reflection.program_title,
                _reflection.finished_at,
                _reflection.seconds_spent,
            )
            .select_from(self._with_zone)
            .where(self._completed_in(current, current + 1))
        )

    def answers(self) -> _Query:
        """Their text answers (decrypted as they are read) and the check-ins' rupture reports."""
        current = self.span.week.index
        is_rupture = and_(
            self._is(self.programs.checkin),
            _answer.step_id == RUPTURE_STEP,
            _answer.choice.in_(RUPTURE_KINDS),
        )
        return (
            select(
                _reflection.clinician_id,
                _answer.reflection_id,
                _answer.position,
                _answer.kind,
                _answer.text,
                _answer.choice,
                _answer.identifying_flagged,
            )
            .select_from(self._with_zone.join(_answers, _answer.reflection_id == _reflection.id))
            .where(
                self._completed_in(current, current + 1), or_(_answer.kind == "text", is_rupture)
            )
        )

    def carried(self) -> _Query:
        """The concept cards the week's reflections carried by meaning (kept, removed)."""
        current = self.span.week.index
        kept = table_of(ReflectionConcept)
        return (
            select(
                _reflection.clinician_id,
                _kept.reflection_id,
                _kept.slug,
                _kept.kept,
                _kept.position,
                _kept.sentence,
            )
            .select_from(self._with_zone.join(kept, _kept.reflection_id == _reflection.id))
            .where(self._completed_in(current, current + 1))
        )

    def ratings(self) -> _Query:
        """Check-in ratings, this week (0) and the four weeks before (1), pivoted by step."""
        current = self.span.week.index
        period = case((_reflection.finished_at >= self.span.start_of(current), 0), else_=1)
        per_step = [
            column
            for step in DIGEST_RATING_STEPS
            for column in (
                func.sum(case((_answer.step_id == step, _answer.rating))),
                func.count(case((_answer.step_id == step, _answer.rating))),
            )
        ]
        return (
            select(_reflection.clinician_id, period, *per_step)
            .select_from(self._with_zone.join(_answers, _answer.reflection_id == _reflection.id))
            .where(
                self._completed_in(current - PREVIOUS_WEEKS, current + 1),
                self._is(self.programs.checkin),
                _answer.kind == "rating",
                _answer.step_id.in_(DIGEST_RATING_STEPS),
            )
            .group_by(_reflection.clinician_id, period)
        )

    def history(self) -> _Query:
        """Weeks in a row before this one with a completed reflection, and the last week with
        an empathy reflection, one row per clinician."""
        current = self.span.week.index
        week_index = self.span.local_week(_reflection.finished_at)
        weeks = (
            select(
                _reflection.clinician_id.label("clinician_id"),
                week_index.label("week"),
                func.max(case((self._is(self.programs.empathy), 1), else_=0)).label("empathy"),
            )
            .select_from(self._with_zone)
            .where(self._completed_in(current - STREAK_LOOKBACK_WEEKS, current))
            .group_by(_reflection.clinician_id, week_index)
            .subquery()
        )
        ranked = select(
            weeks.c.clinician_id,
            weeks.c.week,
            weeks.c.empathy,
            func.row_number()
            .over(partition_by=weeks.c.clinician_id, order_by=weeks.c.week.desc())
            .label("rank"),
        ).subquery()
        return select(
            ranked.c.clinician_id,
            # The n-th most recent active week is in the run iff it is exactly n weeks back.
            func.sum(case((ranked.c.week == literal(current) - ranked.c.rank, 1), else_=0)),
            func.max(case((ranked.c.empathy == 1, ranked.c.week))),
        ).group_by(ranked.c.clinician_id)

    def joined(self) -> _Query:
        """When each clinician started using the bot."""
        return select(_clinician.id, _clinician.created_at).where(_clinician.id.in_(self.ids))

    def prompts(self) -> _Query:
        """Prompts sent in the week."""
        current = self.span.week.index
        return (
            select(_delivery.clinician_id, func.count())
            .select_from(_deliveries.join(_clinicians, _clinician.id == _delivery.clinician_id))
            .where(
                _delivery.clinician_id.in_(self.ids),
                _delivery.kind == "prompt",
                _delivery.status == "sent",
                self.span.within(_delivery.sent_at, current, current + 1),
            )
            .group_by(_delivery.clinician_id)
        )


_Rows = Iterable[Row[*tuple[Any, ...]]]
_Take = Callable[[_Rows, dict[int, "_Gathered"]], None]


async def _fetch_into(
    sessions: async_sessionmaker[AsyncSession],
    statement: _Query,
    take: _Take,
    gathered: dict[int, _Gathered],
) -> None:
    async with sessions() as session:
        take(await session.execute(statement), gathered)


def _take_reflections(rows: _Rows, gathered: dict[int, _Gathered]) -> None:
    titles: dict[str, str] = {}  # one string per title, not one per row
    for rid, cid, program_id, title, finished, seconds in rows:
        gathered[cid].reflections.append(
            DoneReflection(
                rid,
                titles.setdefault(program_id, program_id),
                titles.setdefault(title, title),
                finished,
                seconds,
            )
        )


def _take_answers(rows: _Rows, gathered: dict[int, _Gathered]) -> None:
    for cid, rid, position, kind, text, choice, flagged in rows:
        if kind == "text" and text:
            gathered[cid].answers.append(WrittenAnswer(rid, position, text, bool(flagged)))
        elif choice:
            gathered[cid].ruptures.append(RuptureReport(rid, choice))


def _take_carried(rows: _Rows, gathered: dict[int, _Gathered]) -> None:
    for cid, rid, slug, kept, position, sentence in rows:
        card = CarriedConcept(slug, kept, position, sentence)
        gathered[cid].carried.setdefault(rid, []).append(card)


def _take_prompts(rows: _Rows, gathered: dict[int, _Gathered]) -> None:
    for cid, count in rows:
        gathered[cid].prompts = int(count)


def _take_joined(rows: _Rows, gathered: dict[int, _Gathered]) -> None:
    for cid, created_at in rows:
        gathered[cid].joined_at = created_at


def _take_history(rows: _Rows, gathered: dict[int, _Gathered]) -> None:
    for cid, in_a_row, last_empathy in rows:
        gathered[cid].weeks_in_a_row = int(in_a_row or 0)
        if last_empathy is not None:
            gathered[cid].last_empathy_week = IsoWeek.from_index(int(last_empathy))


def _take_ratings(rows: _Rows, gathered: dict[int, _Gathered]) -> None:
    for cid, before, *sums in rows:
        tallies = {
            step: RatingTally(int(sums[2 * n] or 0), int(sums[2 * n + 1]))
            for n, step in enumerate(DIGEST_RATING_STEPS)
            if sums[2 * n + 1]
        }
        if before:
            gathered[cid].previous_ratings = tallies
        else:
            gathered[cid].ratings = tallies


def _assemble(zone: tuple[str, tzinfo], week: IsoWeek, got: _Gathered) -> ClinicianWeek:
    activity = WeekActivity(
        week=week,
        zone=zone[0],
        reflections=tuple(got.reflections),
        answers=tuple(got.answers),
        ruptures=tuple(got.ruptures),
        ratings=got.ratings,
        prompts_delivered=got.prompts,
        carried={rid: tuple(cards) for rid, cards in got.carried.items()},
    )
    history = History(
        weeks_in_a_row=got.weeks_in_a_row,
        last_empathy_week=got.last_empathy_week,
        previous_ratings=got.previous_ratings,
        joined_at=got.joined_at,
    )
    return ClinicianWeek(zone[1], activity, history)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


# --------------------------------------------------------------------------- local weeks in SQL


@dataclass(frozen=True)
class _Span:
    """The week a batch asks about and its clinicians' zones, as SQL on a clinician's row.

    Week `index` means the ISO week `IsoWeek.from_index(index)` of the clinician's own zone.
    """

    week: IsoWeek
    zones: Mapping[str, tzinfo]
    dialect: str

    def start_of(self, index: int) -> ColumnElement[datetime]:
        """When week `index` starts for the row's clinician (their zone; no zone: UTC)."""
        starts = {name: self._start(index, zone) for name, zone in self.zones.items()}
        return case(
            {name: literal(start, UTCDateTime) for name, start in starts.items()},
            value=_clinician.timezone,
            else_=literal(self._start(index, UTC), UTCDateTime),
        )

    def within(self, moment: Any, first: int, end: int) -> ColumnElement[bool]:
        """`moment` falls in weeks [first, end) of the row's clinician.

        The same bounds across all zones come first, so an index on the moment can be used.
        """
        earliest = min(self._start(first, zone) for zone in (*self.zones.values(), UTC))
        latest = max(self._start(end, zone) for zone in (*self.zones.values(), UTC))
        return and_(
            moment >= earliest,
            moment < latest,
            moment >= self.start_of(first),
            moment < self.start_of(end),
        )

    @staticmethod
    def _start(index: int, zone: tzinfo) -> datetime:
        return IsoWeek.from_index(index).bounds(zone)[0]

    def local_week(self, moment: Any) -> ColumnElement[int]:
        """The index of the local ISO week `moment` falls in (`IsoWeek.index`), in SQL.

        Local wall-clock seconds since the first Monday of the epoch, divided into weeks:
        the UTC offset comes from `_offset`, exact across DST changes.
        """
        if self.dialect == "postgresql":
            seconds = cast(func.floor(extract("epoch", moment)), BigInteger)
        else:
            seconds = cast(func.strftime("%s", moment), Integer)
        return (seconds + self._offset(moment) - _EPOCH_MONDAY_SECONDS) // _WEEK_SECONDS

    def _offset(self, moment: Any) -> ColumnElement[int]:
        # From before the lookback to after the week, with days to spare: every row asked about.
        first = self.week.shifted(-STREAK_LOOKBACK_WEEKS).start - timedelta(days=2)
        last = self.week.end + timedelta(days=2)
        by_zone: dict[str, ColumnElement[int]] = {}
        for name, zone in self.zones.items():
            stretches = _offset_stretches(zone, first, last)
            if len(stretches) == 1:
                by_zone[name] = literal(stretches[0][1])
            else:
                # Latest stretch first: the first WHEN the moment has reached wins.
                whens = [(moment >= since, offset) for since, offset in reversed(stretches[1:])]
                by_zone[name] = case(*whens, else_=stretches[0][1])
        return case(by_zone, value=_clinician.timezone, else_=0)


@lru_cache(maxsize=512)
def _offset_stretches(zone: tzinfo, first: date, last: date) -> list[tuple[datetime, int]]:
    """(from, UTC offset in seconds) for each stretch of constant offset between two days.

    Days are stepped through and each change is narrowed to the second; offsets that change
    twice within one day (no zone in use does) would be missed.
    """

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    moment = datetime(first.year, first.month, first.day, tzinfo=UTC)
    stretches = [(moment, offset(moment))]
    end = datetime(last.year, last.month, last.day, tzinfo=UTC)
    while moment < end:
        following = moment + timedelta(days=1)
        if offset(following) != stretches[-1][1]:
            low, high = moment, following  # offset(low) is the old one, offset(high) the new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == stretches[-1][1] else (low, middle)
            stretches.append((high.replace(microsecond=0), offset(high)))
        moment = following
    return stretches


# --------------------------------------------------------------------------- sent digests


async def sent_digest(session: AsyncSession, *, clinician_id: int, week: IsoWeek) -> Digest | None:
    """The digest row of this clinician's week, if one was recorded."""
    result = await session.execute(
        select(Digest).where(
            col(Digest.clinician_id) == clinician_id,
            col(Digest.week_start) == week.start,
        )
    )
    return result.scalar_one_or_none()


async def record_sent(
    session: AsyncSession,
    *,
    clinician_id: int,
    week: IsoWeek,
    delivery_id: int,
    now: datetime,
) -> bool:
    """Claims the week's one digest for `delivery_id`; False if another delivery has it.

    Insert-or-ignore on UNIQUE(clinician_id, week_start), so two processes (or a digest day
    moved within the week) never both send one. The same delivery asking again (a retried
    send) gets True, and so does a later one when the delivery holding the week never sent
    it (it failed, was skipped or missed, or no longer exists). `sent_at` is when the
    digest was handed to the sender.
    """
    statement = insert_or_ignore(session, Digest, conflict=["clinician_id", "week_start"]).values(
        clinician_id=clinician_id,
        week_start=week.start,
        delivery_id=delivery_id,
        created_at=now,
        sent_at=now,
    )
    if rowcount(await session.execute(statement)) == 1:
        return True
    existing = await sent_digest(session, clinician_id=clinician_id, week=week)
    if existing is None or existing.delivery_id == delivery_id:
        return existing is not None
    holder = existing.delivery_id
    if holder is not None:
        status = await session.scalar(select(_delivery.status).where(_delivery.id == holder))
        if status not in (None, *_NEVER_SENT):
            return False
    # Conditional on the holder read above, so of two takers only one succeeds.
    taken = await session.execute(
        update(_digests)
        .where(
            _digest.id == existing.id,
            _digest.delivery_id.is_(None) if holder is None else _digest.delivery_id == holder,
        )
        .values(delivery_id=delivery_id, sent_at=now)
    )
    return rowcount(taken) == 1
