"""What the alliance trend needs: clinicians' completed check-ins and repairs over a span,
with the check-ins' ratings and rupture reports. Two queries for one clinician or a whole batch
of weekly digests, no decryption (ratings and choices are plain columns); the weeks are worked
out in Python, in each clinician's own time zone (domain/trend.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
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
    ratings and ruptures (`programs` names the check-in and repair programs)."""
    found: dict[int, TrendRows] = defaultdict(TrendRows)
    checkin, repair = programs.checkin, programs.repair
    if checkin is None or not clinician_ids:
        return found
    completed_in_span = and_(
        _reflection.clinician_id.in_(clinician_ids),
        _reflection.status == "completed",
        _reflection.finished_at >= start,
        _reflection.finished_at < end,
    )
    done = await session.execute(
        select(
            _reflection.clinician_id,
            _reflection.id,
            _reflection.program_id,
            _reflection.program_title,
            _reflection.finished_at,
            _reflection.seconds_spent,
        ).where(completed_in_span, _reflection.program_id.in_([checkin, repair or checkin]))
    )
    owner: dict[int, int] = {}
    for cid, *row in done:
        reflection = DoneReflection(*row)
        owner[reflection.id] = cid
        rows = found[cid]
        (rows.check_ins if reflection.program_id == checkin else rows.repairs).append(reflection)
    answers = await session.execute(
        select(_answer.reflection_id, _answer.step_id, _answer.rating, _answer.choice)
        .select_from(_answers.join(_reflections, _answer.reflection_id == _reflection.id))
        .where(
            completed_in_span,
            _reflection.program_id == checkin,
            or_(
                and_(_answer.kind == "rating", _answer.step_id.in_(ALLIANCE_STEPS)),
                and_(_answer.step_id == RUPTURE_STEP, _answer.choice.in_(RUPTURE_KINDS)),
            ),
        )
    )
    for rid, step_id, rating, choice in answers:
        rows = found[owner[rid]]
        if rating is not None:
            rows.ratings.append(GivenRating(rid, step_id, rating))
        elif choice is not None:
            rows.ruptures.append(RuptureReport(rid, choice))
    return found
