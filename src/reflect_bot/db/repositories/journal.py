"""A clinician's journal for export: reflections with their answers, decrypted, in two queries.

Five years of daily reflections are about 9,000 answers, so nothing here loads ORM objects
one by one: one query reads the reflections, one the answers of the same reflections (a
join on the same conditions, so no long list of ids is sent back), both as plain column
rows. Each encrypted value is decrypted once, by its column type, as the row is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.models import Answer, Reflection
from reflect_bot.db.statements import table_of
from reflect_bot.domain.export import StoredAnswer, StoredReflection

__all__ = ["load_reflections"]

# The tables' columns, typed for SQL expressions (sqlmodel types model attributes as values).
_reflections = table_of(Reflection)
_answers = table_of(Answer)
_R = _reflections.c
_A = _answers.c


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
            )
        )
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
        )
        for row in reflection_rows
    ]


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
