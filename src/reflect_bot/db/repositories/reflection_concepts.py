"""Concept cards a clinician kept with a reflection, or removed, when they were suggested.

One row per (reflection, card): the latest decision wins. Rows hang off the reflection with
ON DELETE CASCADE, and /forget and discarding a reflection delete them explicitly too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import ReflectionConcept
from reflect_bot.db.statements import insert_or_ignore

__all__ = ["decide", "decisions", "kept_slugs"]


async def decide(
    session: AsyncSession, *, reflection_id: int, slug: str, kept: bool, now: datetime
) -> None:
    """Records that the clinician kept (or removed) card `slug` for the reflection.

    Insert-or-ignore then update: two presses racing on two processes both succeed, and the
    row ends with one of them, never with a unique-key error.
    """
    await session.execute(
        insert_or_ignore(session, ReflectionConcept, conflict=["reflection_id", "slug"]).values(
            reflection_id=reflection_id, slug=slug, kept=kept, confirmed_at=now
        )
    )
    await session.execute(
        update(ReflectionConcept)
        .where(
            col(ReflectionConcept.reflection_id) == reflection_id,
            col(ReflectionConcept.slug) == slug,
        )
        .values(kept=kept, confirmed_at=now)
    )


async def decisions(
    session: AsyncSession, *, reflection_ids: Iterable[int]
) -> dict[int, dict[str, bool]]:
    """reflection id → {slug: kept} for the reflections given (absent: nothing decided)."""
    ids = list(reflection_ids)
    found: dict[int, dict[str, bool]] = {}
    if not ids:
        return found
    rows = await session.execute(
        select(
            col(ReflectionConcept.reflection_id),
            col(ReflectionConcept.slug),
            col(ReflectionConcept.kept),
        )
        .where(col(ReflectionConcept.reflection_id).in_(ids))
        .order_by(col(ReflectionConcept.confirmed_at), col(ReflectionConcept.slug))
    )
    for reflection_id, slug, kept in rows:
        found.setdefault(reflection_id, {})[slug] = bool(kept)
    return found


def kept_slugs(decided: Mapping[str, bool]) -> tuple[str, ...]:
    """The cards kept, in the order they were decided."""
    return tuple(slug for slug, kept in decided.items() if kept)
