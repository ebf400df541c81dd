"""Concept cards a completed reflection carried by meaning, and the clinician's keep / remove.

One row per (reflection, card). Rows hang off the reflection with ON DELETE CASCADE, and
/forget and discarding a reflection delete them explicitly too. No words are stored here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.models import ReflectionConcept
from reflect_bot.db.statements import insert_or_ignore
from reflect_bot.domain.suggestions import Carried, CarriedConcept

__all__ = ["carried", "decide", "record_carried"]

_KEY = ["reflection_id", "slug"]


async def record_carried(
    session: AsyncSession, *, reflection_id: int, found: Iterable[Carried]
) -> None:
    """Stores the cards the reflection carried (a card already stored keeps its decision)."""
    rows = [
        {
            "reflection_id": reflection_id,
            "slug": c.slug,
            "position": c.position,
            "sentence": c.sentence,
        }
        for c in found
    ]
    if rows:
        await session.execute(insert_or_ignore(session, ReflectionConcept, conflict=_KEY), rows)


async def decide(
    session: AsyncSession, *, reflection_id: int, slug: str, kept: bool, now: datetime
) -> None:
    """Records that the clinician kept (or removed) card `slug` for the reflection.

    Insert-or-ignore then update: two presses racing on two processes both succeed, and the
    row ends with one of them, never with a unique-key error.
    """
    await session.execute(
        insert_or_ignore(session, ReflectionConcept, conflict=_KEY).values(
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


async def carried(
    session: AsyncSession, *, reflection_ids: Iterable[int]
) -> dict[int, tuple[CarriedConcept, ...]]:
    """reflection id → its stored cards (in no particular order)."""
    ids = list(reflection_ids)
    found: dict[int, list[CarriedConcept]] = {}
    if not ids:
        return {}
    rows = await session.execute(
        select(
            col(ReflectionConcept.reflection_id),
            col(ReflectionConcept.slug),
            col(ReflectionConcept.kept),
            col(ReflectionConcept.position),
            col(ReflectionConcept.sentence),
        ).where(col(ReflectionConcept.reflection_id).in_(ids))
    )
    for reflection_id, slug, kept, position, sentence in rows:
        found.setdefault(reflection_id, []).append(CarriedConcept(slug, kept, position, sentence))
    return {rid: tuple(cards) for rid, cards in found.items()}
