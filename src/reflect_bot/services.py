"""What every handler and job needs, built once per application."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reflect_bot.clock import Clock
from reflect_bot.config import Settings

if TYPE_CHECKING:
    from reflect_bot.catalog import Catalog
    from reflect_bot.domain.digest import ConceptLookup
    from reflect_bot.recognition_loader import LazyRecogniser


@dataclass
class Services:
    """The application's shared dependencies, built once (app.build_services); handlers reach
    them through the context. Dependencies only: runtime state lives with its owner (the
    guards' `GuardMemory`, the scheduler's `Ticker`)."""

    settings: Settings
    clock: Clock
    catalog: Catalog
    # The catalog's concepts as digests read them, prepared once with the catalog.
    concept_lookup: ConceptLookup
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # Concepts by meaning: nothing is loaded until the first suggestion, digest or /search.
    recognisers: LazyRecogniser
