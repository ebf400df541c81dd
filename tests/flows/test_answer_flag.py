"""An answer the identifying-details check flagged and the clinician kept as written carries
a flag: set by the check, kept when they keep it (or ignore the offer), cleared when the text
is replaced or edited clean. A flagged answer is never quoted in a digest, and queries that
quote answers (supervision briefs) can filter on `reflections.quotable()`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Catalog, Step
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Clinician
from reflect_bot.db.repositories import clinicians, digests, reflections
from reflect_bot.domain.digest import DigestPrograms, IsoWeek, build_digest
from reflect_bot.domain.journaling import GivenAnswer
from reflect_bot.domain.timezones import resolve
from reflect_bot.flows import journal, privacy
from tests.flows.conftest import NOW, Given, add_clinician, add_reflection

NAMED = "My client Sarah went quiet when I named the pause; her email is sarah.k@example.org"
CLEAN = "A client went quiet when I named the pause, and I let the silence be."
FEELING: Given = [("intensity_before", 4), ("feeling", NAMED), ("family", "anger")]


def _shown(step: Step | None, answer: GivenAnswer) -> str:
    return f"shown {answer.rating}"


async def _feeling(sessions: async_sessionmaker[AsyncSession]) -> Answer:
    async with transaction(sessions) as session:
        query = select(Answer).where(col(Answer.step_id) == "feeling")
        return (await session.execute(query)).scalar_one()


async def _reload(sessions: async_sessionmaker[AsyncSession], user: int) -> Clinician:
    async with transaction(sessions) as session:
        clinician = await clinicians.get_by_user(session, telegram_user_id=user)
    assert clinician is not None
    return clinician


async def _flag(
    sessions: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    ana: Clinician,
    text: str,
    reflection_id: int | None = None,
) -> privacy.Suspected | None:
    """The check run after `text` was sent as the answer to "feeling"."""
    if reflection_id is None:
        reflection_id = (await _feeling(sessions)).reflection_id
    return await privacy.suspect_answer(
        sessions,
        clock,
        clinician=ana,
        reflection_id=reflection_id,
        step_id="feeling",
        text=text,
    )


async def test_the_check_flags_an_answer_and_a_clean_replacement_clears_it(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    await add_reflection(
        sessions, catalog, clinician=ana, program_id="affect-labeling", answers=FEELING
    )
    assert not (await _feeling(sessions)).identifying_flagged, "unflagged until checked"

    suspected = await _flag(sessions, clock, ana, NAMED)
    assert suspected is not None
    assert (await _feeling(sessions)).identifying_flagged
    # "Keep it as it is" (or no answer to the offer at all) changes nothing: still flagged.
    clock.advance(timedelta(hours=2))
    assert (await _feeling(sessions)).identifying_flagged

    # A replacement that still holds details stays flagged...
    assert await privacy.wait_for_replacement(
        sessions, clock, clinician=ana, answer_id=suspected.answer_id
    )
    ana = await _reload(sessions, 11)
    still = await privacy.replace_answer(
        sessions, clock, clinician=ana, typed="Call 07700 900123 tomorrow."
    )
    assert still is not None and still.kinds
    assert (await _feeling(sessions)).identifying_flagged

    # ...and a clean one clears the flag.
    assert await privacy.wait_for_replacement(
        sessions, clock, clinician=ana, answer_id=suspected.answer_id
    )
    ana = await _reload(sessions, 11)
    assert await privacy.replace_answer(sessions, clock, clinician=ana, typed=CLEAN)
    replaced = await _feeling(sessions)
    assert replaced.text == CLEAN and not replaced.identifying_flagged


async def test_an_edit_made_clean_clears_the_flag_and_one_adding_details_sets_it(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    await add_reflection(
        sessions,
        catalog,
        clinician=ana,
        program_id="affect-labeling",
        answers=FEELING,
        first_message_id=100,
    )
    assert await _flag(sessions, clock, ana, NAMED) is not None

    async def edit(text: str) -> None:
        edited = await journal.edit_answer(
            sessions,
            catalog,
            clock,
            clinician=ana,
            telegram_message_id=100,
            edited=text,
            shown=_shown,
        )
        assert edited is not None and edited.result is journal.EditResult.UPDATED

    await edit(CLEAN)
    assert not (await _feeling(sessions)).identifying_flagged, "edited clean"
    # An edit that adds a name is flagged in the same transaction, before any notice.
    await edit(CLEAN + " Mrs Patel said so too.")
    assert (await _feeling(sessions)).identifying_flagged


async def test_a_stale_check_does_not_flag_an_answer_edited_meanwhile(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    """The check of the first wording arrives after a clean edit was stored: it still says
    what it found, but does not flag the clean text."""
    ana = await add_clinician(sessions, user=11)
    answers: Given = [("intensity_before", 4), ("feeling", CLEAN), ("family", "anger")]
    await add_reflection(
        sessions, catalog, clinician=ana, program_id="affect-labeling", answers=answers
    )
    assert await _flag(sessions, clock, ana, NAMED) is not None
    assert not (await _feeling(sessions)).identifying_flagged


async def test_quotable_leaves_out_flagged_answers(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    """The marker other features (supervision briefs) filter on."""
    ana = await add_clinician(sessions, user=11)
    await add_reflection(
        sessions, catalog, clinician=ana, program_id="affect-labeling", answers=FEELING
    )
    await _flag(sessions, clock, ana, NAMED)
    async with transaction(sessions) as session:
        quotable = await session.execute(
            select(col(Answer.step_id)).where(reflections.quotable()).order_by(col(Answer.position))
        )
        assert list(quotable.scalars()) == ["intensity_before", "family"]


async def test_a_flagged_answer_is_never_quoted_in_the_digest(
    sessions: async_sessionmaker[AsyncSession], catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    week = IsoWeek.containing(NOW.date())
    # Two reflections this week: the flagged answer is the longest, so it would be quoted.
    named = await add_reflection(
        sessions, catalog, clinician=ana, program_id="affect-labeling", answers=FEELING
    )
    clean: Given = [("intensity_before", 2), ("feeling", CLEAN), ("family", "sadness")]
    await add_reflection(
        sessions,
        catalog,
        clinician=ana,
        program_id="affect-labeling",
        answers=clean,
        started_at=NOW - timedelta(hours=3),
    )

    async def excerpts() -> list[str]:
        async with transaction(sessions) as session:
            loaded = await digests.load_week(
                session, clinician=ana, week=week, programs=DigestPrograms.of(catalog)
            )
        digest = build_digest(loaded.week, loaded.history, catalog, zone=resolve("Europe/London"))
        return [excerpt.text for excerpt in digest.excerpts]

    assert any("Sarah" in text for text in await excerpts()), "quoted before the check"
    assert await _flag(sessions, clock, ana, NAMED, named.id) is not None
    quoted = await excerpts()
    assert not any("Sarah" in text or "example.org" in text for text in quoted)
    assert CLEAN in quoted, "a clean answer is still quoted"
