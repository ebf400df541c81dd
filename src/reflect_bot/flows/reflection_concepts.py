"""The concept cards a completed reflection carried, and keeping or removing one of them:
one transaction each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import reflection_concepts
from reflect_bot.db.repositories import reflections as store
from reflect_bot.domain.journaling import ReflectionStatus
from reflect_bot.domain.suggestions import Carried

__all__ = ["Decided", "NotTheirs", "decide", "record_carried"]


@dataclass(frozen=True)
class Decided:
    """Stored: `decided` is every card decided for the reflection so far (slug → kept)."""

    reflection_id: int
    decided: dict[str, bool]


@dataclass(frozen=True)
class NotTheirs:
    """Not their reflection, gone, discarded, or a card the catalog does not have."""


async def decide(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: Clock,
    *,
    clinician_id: int,
    reflection_id: int,
    slug: str,
    keep: bool,
) -> Decided | NotTheirs:
    """Keeps (or removes) card `slug` for one of the clinician's reflections."""
    if slug not in catalog.concepts:
        return NotTheirs()
    async with transaction(sessions) as session:
        reflection = await store.get_owned(
            session, reflection_id=reflection_id, clinician_id=clinician_id
        )
        if reflection is None or reflection.status == ReflectionStatus.DISCARDED.value:
            return NotTheirs()
        await reflection_concepts.decide(
            session, reflection_id=reflection_id, slug=slug, kept=keep, now=clock.now()
        )
        found = await reflection_concepts.carried(session, reflection_ids=[reflection_id])
    decided = {c.slug: c.kept for c in found.get(reflection_id, ()) if c.kept is not None}
    return Decided(reflection_id, decided)


async def record_carried(
    sessions: async_sessionmaker[AsyncSession], *, reflection_id: int, found: tuple[Carried, ...]
) -> None:
    """Stores what a just-completed reflection carried (the caller completed it)."""
    if not found:
        return
    async with transaction(sessions) as session:
        await reflection_concepts.record_carried(session, reflection_id=reflection_id, found=found)
