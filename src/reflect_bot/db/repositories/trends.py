"""What the alliance trend needs: clinicians' completed check-ins and repairs over a span,
with the check-ins' ratings and rupture reports. One query for one clinician or a whole batch
of weekly digests, no decryption (ratings and choices are plain columns); the weeks are worked
out in Python, in each clinician's own time zone (domain/trend.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.models import Answer, Reflection
from reflect_bot.db.statements import table_of
from reflect_bot.domain.digest import (
    ALLIANCE_STEPS,
    RUPTURE_KINDS,
    RUPTURE_STEP,
    DigestPrograms,
    DoneReflection,
    RuptureReport,
)
from reflect_bot.domain.trend import GivenRating

_reflections = table_of(Reflection)
_answers = table_of(Answer)
_reflection = _reflections.c
_answer = _answers.c


@dataclass(frozen=True, slots=True)
class TrendRows:
    """One clinician's rows for `domain.trend.build_trend`."""

    check_ins: list[DoneReflection] = field(default_factory=list)
    repairs: list[DoneReflection] = field(default_factory=list)
    ratings: list[GivenRating] = field(default_factory=list)
    ruptures: list[RuptureReport] = field(default_factory=list)


async def load_trends(
    session: AsyncSession,
    *,
    clinician_ids: Sequence[int],
    start: datetime,
    end: datetime,
    programs: DigestPrograms,
) -> dict[int, TrendRows]:
    """Each clinician's check-ins and repairs completed in [start, end), with the check-ins'
    ratings and ruptures (`programs` names the check-in and repair programs).

    One row per reflection: its ratings and rupture answer pivoted into columns by the
    database, so a batch of 10,000 clinicians reads a row per check-in, not one per answer.
    """
    found: dict[int, TrendRows] = defaultdict(TrendRows)
    checkin, repair = programs.checkin, programs.repair
    if checkin is None or not clinician_ids:
        return found
    is_checkin = _reflection.program_id == checkin
    pivoted = [
        func.max(case((and_(is_checkin, _answer.step_id == step), _answer.rating)))
        for step in ALLIANCE_STEPS
    ]
    rupture = func.max(
        case(
            (
                and_(
                    is_checkin,
                    _answer.step_id == RUPTURE_STEP,
                    _answer.choice.in_(RUPTURE_KINDS),
                ),
                _answer.choice,
            )
        )
    )
    rows = await session.execute(
        select(
            _reflection.clinician_id,
            _reflection.id,
            _reflection.program_id,
            _reflection.program_title,
            _reflection.finished_at,
            _reflection.seconds_spent,
            rupture,
            *pivoted,
        )
        .select_from(_reflections.outerjoin(_answers, _answer.reflection_id == _reflection.id))
        .where(
            _reflection.clinician_id.in_(clinician_ids),
            _reflection.status == "completed",
            _reflection.finished_at >= start,
            _reflection.finished_at < end,
            _reflection.program_id.in_([checkin, repair or checkin]),
        )
        .group_by(
            _reflection.clinician_id,
            _reflection.id,
            _reflection.program_id,
            _reflection.program_title,
            _reflection.finished_at,
            _reflection.seconds_spent,
        )
    )
    for cid, rid, program_id, title, finished_at, seconds, kind, *ratings in rows:
        reflection = DoneReflection(rid, program_id, title, finished_at, seconds)
        trend = found[cid]
        if program_id != checkin:
            trend.repairs.append(reflection)
            continue
        trend.check_ins.append(reflection)
        trend.ratings.extend(
            GivenRating(rid, step, rating)
            for step, rating in zip(ALLIANCE_STEPS, ratings, strict=True)
            if rating is not None
        )
        if kind is not None:
            trend.ruptures.append(RuptureReport(rid, kind))
    return found
