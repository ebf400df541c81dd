"""The alliance over time: check-in ratings per week, with the weeks' ruptures and repairs.

`build_trend` groups one clinician's check-ins into ISO weeks of their own time zone and
averages each alliance rating per week. A week with no rating stays empty (None): the chart
leaves a gap there rather than inventing a point. It reads no clock, database or Telegram.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import NamedTuple

from reflect_bot.domain.digest import (
    ALLIANCE_STEPS,
    DoneReflection,
    IsoWeek,
    RatingTally,
    RuptureReport,
    unrepaired,
)

#: /trend's default span, and the most it shows (a phone-width chart stays readable).
DEFAULT_WEEKS = 12
MIN_WEEKS = 2
MAX_WEEKS = 26
#: Fewer weeks with ratings than this: no chart, just a word on what will appear.
WEEKS_NEEDED = 2


class GivenRating(NamedTuple):
    """One alliance rating answer of a completed check-in."""

    reflection_id: int
    step_id: str
    rating: int


@dataclass(frozen=True, slots=True)
class TrendWeek:
    week: IsoWeek
    #: Average per alliance step in tenths (4.25 → 43); None where nothing was rated.
    tenths: Mapping[str, int | None]
    check_ins: int
    ruptures: int
    repairs: int

    @property
    def rated(self) -> bool:
        return any(value is not None for value in self.tenths.values())


@dataclass(frozen=True, slots=True)
class AllianceTrend:
    """Every week of the span, oldest first, empty weeks included."""

    weeks: tuple[TrendWeek, ...]
    steps: tuple[str, ...] = ALLIANCE_STEPS

    @property
    def weeks_rated(self) -> int:
        return sum(1 for week in self.weeks if week.rated)

    @property
    def drawable(self) -> bool:
        return self.weeks_rated >= WEEKS_NEEDED


def clamp_weeks(asked: int | None) -> int:
    """The span to show for `/trend <weeks>` (default when not given)."""
    if asked is None:
        return DEFAULT_WEEKS
    return max(MIN_WEEKS, min(MAX_WEEKS, asked))


def span(last: IsoWeek, weeks: int) -> tuple[IsoWeek, ...]:
    """The `weeks` ISO weeks ending with `last`, oldest first."""
    return tuple(last.shifted(offset) for offset in range(1 - weeks, 1))


def build_trend(
    *,
    weeks: Sequence[IsoWeek],
    zone: tzinfo,
    check_ins: Iterable[DoneReflection],
    repairs: Iterable[DoneReflection],
    ratings: Iterable[GivenRating],
    ruptures: Iterable[RuptureReport],
    repair_program: str | None,
    steps: tuple[str, ...] = ALLIANCE_STEPS,
) -> AllianceTrend:
    """The trend over `weeks` (consecutive, oldest first) of what was completed in them.

    `check_ins` are completed check-ins, `repairs` completed repair reflections; a repair
    answers the latest unrepaired rupture before it in the same week, as the digest counts.
    """
    week_of: dict[int, IsoWeek] = {}
    done: dict[IsoWeek, list[DoneReflection]] = defaultdict(list)
    for reflection in (*check_ins, *repairs):
        week = IsoWeek.containing(reflection.finished_at.astimezone(zone).date())
        week_of[reflection.id] = week
        done[week].append(reflection)
    tallies: dict[IsoWeek, dict[str, RatingTally]] = defaultdict(dict)
    counted: dict[IsoWeek, set[int]] = defaultdict(set)
    for given in ratings:
        rated_in = week_of.get(given.reflection_id)
        if rated_in is None or given.step_id not in steps:
            continue
        total, answers = tallies[rated_in].get(given.step_id, RatingTally())
        tallies[rated_in][given.step_id] = RatingTally(total + given.rating, answers + 1)
        counted[rated_in].add(given.reflection_id)
    reported: dict[IsoWeek, list[RuptureReport]] = defaultdict(list)
    for rupture in ruptures:
        reported_in = week_of.get(rupture.reflection_id)
        if reported_in is not None:
            reported[reported_in].append(rupture)
    return AllianceTrend(
        weeks=tuple(
            _week(
                week,
                tallies[week],
                len(counted[week]),
                reported[week],
                done[week],
                repair_program,
                steps,
            )
            for week in weeks
        ),
        steps=steps,
    )


def _week(
    week: IsoWeek,
    tallies: Mapping[str, RatingTally],
    check_ins: int,
    ruptures: Sequence[RuptureReport],
    done: list[DoneReflection],
    repair_program: str | None,
    steps: tuple[str, ...],
) -> TrendWeek:
    in_order = sorted(done, key=lambda r: (r.finished_at, r.id))
    left = unrepaired(ruptures, in_order, repair_program)
    return TrendWeek(
        week=week,
        tenths={step: tallies.get(step, RatingTally()).tenths for step in steps},
        check_ins=check_ins,
        ruptures=len(ruptures),
        repairs=len(ruptures) - len(left),
    )
