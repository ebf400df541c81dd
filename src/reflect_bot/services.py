"""What every handler and job needs, built once per application."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reflect_bot.clock import Clock
from reflect_bot.config import Settings
from reflect_bot.domain.digest import ConceptLookup

if TYPE_CHECKING:
    from reflect_bot.catalog import Catalog
    from reflect_bot.recognition_loader import LazyRecogniser


@dataclass
class Services:
    """The application's shared dependencies, built once (app.build_services); handlers reach
    them through the context. Dependencies only: runtime state lives with its owner (the
    guards' `GuardMemory`, the scheduler's `Ticker`)."""

    settings: Settings
    clock: Clock
    catalog: Catalog
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # Concepts by meaning: nothing is loaded until the first suggestion, digest or /search.
    recognisers: LazyRecogniser

    @cached_property
    def concept_lookup(self) -> ConceptLookup:
        """The catalog's concepts as digests read them, prepared at the first digest and kept
        (compiling the matcher takes 10–25 ms that start-up need not spend)."""
        return ConceptLookup.of(self.catalog)
