"""/search: one's own reflections by meaning, read in one transaction and ranked off the loop.

The answers are decrypted into memory for this search only: nothing is indexed at rest, in
plaintext or otherwise, and nothing is kept once the results are made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import journal
from reflect_bot.domain.export import EXPORTED_STATUSES
from reflect_bot.domain.search import Embeds, Found, search

__all__ = ["find"]


async def find(
    sessions: async_sessionmaker[AsyncSession],
    embedder: Callable[[], Embeds],
    *,
    clinician_id: int,
    query: str,
) -> list[Found]:
    """The clinician's reflections closest in meaning to `query`, best first.

    `embedder` is called off the event loop (`LazyRecogniser.get`: the first call loads it).
    """
    async with transaction(sessions) as session:
        answers = await journal.written_answers(
            session, clinician_id=clinician_id, statuses=EXPORTED_STATUSES
        )
    if not answers:
        return []
    return await asyncio.to_thread(lambda: search(embedder(), query, answers))
