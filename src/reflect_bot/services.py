"""What every handler and job needs, built once per application."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog, load_catalog
from reflect_bot.clock import Clock, SystemClock
from reflect_bot.config import Settings
from reflect_bot.crypto import load_keys
from reflect_bot.db.engine import create_engine, create_sessionmaker
from reflect_bot.db.types import set_keys
from reflect_bot.domain.digest import ConceptLookup
from reflect_bot.recognition_loader import LazyRecogniser


@dataclass
class Services:
    """The application's shared dependencies, built once (`build_services`); handlers reach
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


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    catalog: Catalog | None = None,
    recognisers: LazyRecogniser | None = None,
) -> Services:
    """Loads the catalog and key ring and creates the engine (no connection is made yet).

    It lives beside `Services` rather than with the Telegram application, so that a process
    that only sends (the tests' sender processes, bench p2) does not import the handlers.
    A process that builds many bots over one catalog (the tests) may pass the catalog and its
    `LazyRecogniser` in, so that the recogniser is built once, not once per bot.
    """
    set_keys(load_keys(settings))
    engine = create_engine(settings.effective_database_url)
    catalog = catalog or load_catalog(settings.prompts_dir)
    return Services(
        settings=settings,
        clock=clock or SystemClock(),
        catalog=catalog,
        engine=engine,
        sessions=create_sessionmaker(engine),
        recognisers=recognisers or LazyRecogniser(catalog),
    )
