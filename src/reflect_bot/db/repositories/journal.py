"""A clinician's journal for export: reflections with their answers, decrypted, and the
concept cards each carried by meaning, in three queries.

Five years of daily reflections are about 9,000 answers, so nothing here loads ORM objects
one by one: one query reads the reflections, one the answers of the same reflections and
one their concept cards (joins on the same conditions, so no long list of ids is sent
back), all as plain column rows. Each encrypted value is decrypted once, by its column
type, as the row is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.models import Answer, Reflection, ReflectionConcept
from reflect_bot.db.statements import table_of
from reflect_bot.domain.export import StoredAnswer, StoredReflection
from reflect_bot.domain.search import WrittenAnswer
from reflect_bot.domain.suggestions import CarriedConcept

__all__ = ["load_reflections", "written_answers"]

# The tables' columns, typed for SQL expressions (sqlmodel types model attributes as values).
_reflections = table_of(Reflection)
_answers = table_of(Answer)
_carried = table_of(ReflectionConcept)
_R = _reflections.c
_A = _answers.c
_C = _carried.c


async def load_reflections(
    session: AsyncSession,
    *,
    clinician_id: int,
    statuses: Collection[str],
    started_from: datetime | None = None,
    started_before: datetime | None = None,
    program_id: str | None = None,
    reflection_ids: Collection[int] | None = None,
) -> list[StoredReflection]:
    """The clinician's reflections in one of `statuses` (the export's are
    `domain.export.EXPORTED_STATUSES`) started in [started_from, started_before), oldest
    first, each with its answers in the order they were asked.

    Only this clinician's rows are ever read.
    """
    conditions = _conditions(
        clinician_id=clinician_id,
        statuses=statuses,
        started_from=started_from,
        started_before=started_before,
        program_id=program_id,
        reflection_ids=reflection_ids,
    )
    answers_by_reflection: defaultdict[int, list[StoredAnswer]] = defaultdict(list)
    answer_rows = await session.execute(
        select(
            _A.reflection_id,
            _A.position,
            _A.step_id,
            _A.question,
            _A.kind,
            _A.text,
            _A.rating,
            _A.choice,
            _A.choice_label,
            _A.edited_at,
            _A.id,
            _A.identifying_flagged,
        )
        .join(_reflections, _R.id == _A.reflection_id)
        .where(*conditions)
        .order_by(_A.reflection_id, _A.position, _A.id)
    )
    for row in answer_rows:
        answers_by_reflection[row[0]].append(
            StoredAnswer(
                position=row[1],
                step_id=row[2],
                question=row[3],
                kind=row[4],
                text=row[5],
                rating=row[6],
                choice=row[7],
                choice_label=row[8],
                edited=row[9] is not None,
                answer_id=row[10],
                flagged=bool(row[11]),
            )
        )
    carried: defaultdict[int, list[CarriedConcept]] = defaultdict(list)
    carried_rows = await session.execute(
        select(_C.reflection_id, _C.slug, _C.kept, _C.position, _C.sentence)
        .join(_reflections, _R.id == _C.reflection_id)
        .where(*conditions)
    )
    for rid, slug, kept, position, sentence in carried_rows:
        carried[rid].append(CarriedConcept(slug, kept, position, sentence))
    reflection_rows = await session.execute(
        select(
            _R.id,
            _R.program_id,
            _R.program_title,
            _R.status,
            _R.started_at,
            _R.finished_at,
            _R.seconds_spent,
        )
        .where(*conditions)
        .order_by(_R.started_at, _R.id)
    )
    return [
        StoredReflection(
            id=row[0],
            program_id=row[1],
            program_title=row[2],
            status=row[3],
            started_at=row[4],
            finished_at=row[5],
            seconds_spent=row[6],
            answers=tuple(answers_by_reflection.get(row[0], ())),
            carried=tuple(carried.get(row[0], ())),
        )
        for row in reflection_rows
    ]


async def written_answers(
    session: AsyncSession, *, clinician_id: int, statuses: Collection[str]
) -> list[WrittenAnswer]:
    """Every written answer of the clinician's reflections in `statuses`, decrypted (for
    /search, in memory only), with the reflection's start and title: one query."""
    rows = await session.execute(
        select(_R.id, _R.started_at, _R.program_title, _A.text)
        .join(_answers, _A.reflection_id == _R.id)
        .where(
            _R.clinician_id == clinician_id,
            _R.status.in_(statuses),
            _A.kind == "text",
            _A.text.is_not(None),
        )
        .order_by(_R.started_at.desc(), _R.id, _A.position)
    )
    return [WrittenAnswer(rid, started, title, text) for rid, started, title, text in rows if text]


def _conditions(
    *,
    clinician_id: int,
    statuses: Collection[str],
    started_from: datetime | None,
    started_before: datetime | None,
    program_id: str | None,
    reflection_ids: Collection[int] | None = None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        _R.clinician_id == clinician_id,
        _R.status.in_(statuses),
    ]
    if started_from is not None:
        conditions.append(_R.started_at >= started_from)
    if started_before is not None:
        conditions.append(_R.started_at < started_before)
    if program_id is not None:
        conditions.append(_R.program_id == program_id)
    if reflection_ids is not None:
        conditions.append(_R.id.in_(reflection_ids))
    return conditions
