"""Builds the concept recogniser from the catalog and the word-vector table, once, on first use.

Nothing here is imported when the bot starts: the table (≈ 7 MB) is read and the examples
embedded (≈ 0.1–0.2 s) the first time `LazyRecogniser.get()` is called, which blocks — call it
through `asyncio.to_thread` from async code. `get()` is thread-safe: concurrent first calls
build one recogniser, and everyone gets the same immutable object. Wiring, for example:

    recognisers = LazyRecogniser(catalog)          # built with the other services, loads nothing
    recognition = await asyncio.to_thread(          # the first call also builds, off the loop
        lambda: recognisers.get().recognise(answer_text, question_text)
    )
    recognition.shown                               # slugs to offer, best first
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from reflect_bot.catalog import Catalog

if TYPE_CHECKING:
    from reflect_bot.domain.recognition import ConceptRecogniser

__all__ = ["LazyRecogniser", "build_recogniser"]


def build_recogniser(catalog: Catalog, *, table: Path | None = None) -> ConceptRecogniser:
    """A recogniser over the catalog's cards that have example sentences (blocks ≈ 0.2 s).

    `table`: the word-vector table (default: the one shipped beside `word_vectors`).
    """
    # Imported here, not at the top: the bot builds a `LazyRecogniser` at start-up, and its
    # idle process must not load the recogniser's code until the first suggestion or search.
    from reflect_bot.domain.recognition import ConceptRecogniser
    from reflect_bot.domain.word_vectors import DEFAULT_TABLE, WordVectors

    return ConceptRecogniser(WordVectors.load(table or DEFAULT_TABLE), catalog.concepts.values())


class LazyRecogniser:
    """Holds a catalog and builds its recogniser the first time it is asked for."""

    def __init__(self, catalog: Catalog, *, table: Path | None = None) -> None:
        self._catalog = catalog
        self._table = table
        self._lock = threading.Lock()
        self._recogniser: ConceptRecogniser | None = None

    @property
    def loaded(self) -> bool:
        return self._recogniser is not None

    def get(self) -> ConceptRecogniser:
        """The recogniser, built on the first call (blocking; thread-safe)."""
        recogniser = self._recogniser
        if recogniser is None:
            with self._lock:
                if self._recogniser is None:
                    self._recogniser = build_recogniser(self._catalog, table=self._table)
                recogniser = self._recogniser
        return recogniser
