"""What the alliance trend needs: one clinician's completed check-ins and repairs over a span,
with the check-ins' ratings and rupture reports. Two queries, no decryption (ratings and choices
are plain columns); the weeks are worked out in Python in the clinician's time zone."""

from __future__ import annotations

from dataclasses import dataclass
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
    check_ins: tuple[DoneReflection, ...]
    repairs: tuple[DoneReflection, ...]
    ratings: tuple[GivenRating, ...]
    ruptures: tuple[RuptureReport, ...]


async def load_trend(
    session: AsyncSession,
    *,
    clinician_id: int,
    start: datetime,
    end: datetime,
    programs: DigestPrograms,
) -> TrendRows:
    """Check-ins and repairs completed in [start, end), with the check-ins' ratings and
    ruptures (`programs` names the check-in and repair programs)."""
    checkin, repair = programs.checkin, programs.repair
    if checkin is None:
        return TrendRows((), (), (), ())
    completed_in_span = and_(
        _reflection.clinician_id == clinician_id,
        _reflection.status == "completed",
        _reflection.finished_at >= start,
        _reflection.finished_at < end,
        _reflection.program_id.in_([p for p in (checkin, repair) if p is not None]),
    )
    done = (
        await session.execute(
            select(
                _reflection.id,
                _reflection.program_id,
                _reflection.program_title,
                _reflection.finished_at,
                _reflection.seconds_spent,
            ).where(completed_in_span)
        )
    ).all()
    reflections = [DoneReflection(*row) for row in done]
    answers = (
        await session.execute(
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
    ).all()
    return TrendRows(
        check_ins=tuple(r for r in reflections if r.program_id == checkin),
        repairs=tuple(r for r in reflections if r.program_id == repair),
        ratings=tuple(
            GivenRating(rid, step, rating) for rid, step, rating, _ in answers if rating is not None
        ),
        ruptures=tuple(
            RuptureReport(rid, choice)
            for rid, step, _, choice in answers
            if step == RUPTURE_STEP and choice is not None
        ),
    )
