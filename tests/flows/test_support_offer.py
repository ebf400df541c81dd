"""When the reflection flow says to offer support: with a step marked offers_support when the
answer before it leads there, and again when the reflection is taken up after a while; not
when the same question is asked again a moment later, and never with other steps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import FixedClock
from reflect_bot.flows import reflections as flows
from reflect_bot.flows.reflections import Question, Saved
from tests.flows.conftest import add_clinician

Sessions = async_sessionmaker[AsyncSession]


async def _typed(
    sessions: Sessions, catalog: Catalog, clock: FixedClock, cid: int, text: str
) -> Question:
    saved = await flows.answer_typed(
        sessions, catalog, clock, clinician_id=cid, text=text, message_id=1
    )
    assert isinstance(saved, Saved) and isinstance(saved.then, Question), saved
    return saved.then


async def test_the_offer_follows_the_answer_that_leads_to_a_support_step(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    assert ana.id is not None
    first = await flows.start(
        sessions, catalog, clock, clinician_id=ana.id, program_id="rupture-repair"
    )
    assert isinstance(first, Question) and not first.offer_support
    moment = await _typed(sessions, catalog, clock, ana.id, "The client withdrew")
    assert moment.step.id == "moment" and not moment.offer_support
    shaken = await _typed(sessions, catalog, clock, ana.id, "They went quiet.")
    assert shaken.step.id == "shaken" and not shaken.offer_support

    care = await _typed(sessions, catalog, clock, ana.id, "5")
    assert care.step.id == "shaken_care" and care.offer_support

    # A sticker a moment later: the question again, without the offer said a moment ago.
    again = await flows.ask_again(sessions, catalog, clock, clinician_id=ana.id, seen=None)
    assert isinstance(again, Question) and again.step.id == "shaken_care"
    assert not again.offer_support

    # Taken up again from /journal hours later: the offer comes with it once more.
    clock.advance(timedelta(hours=3))
    resumed = await flows.resume(
        sessions, catalog, clock, clinician_id=ana.id, reflection_id=care.reflection_id
    )
    assert isinstance(resumed, Question) and resumed.offer_support

    skipped = await flows.skip(sessions, catalog, clock, clinician_id=ana.id)
    assert isinstance(skipped, Saved) and isinstance(skipped.then, Question)
    assert skipped.then.step.id == "listening" and not skipped.then.offer_support


async def test_a_rupture_that_has_settled_brings_no_offer(
    sessions: Sessions, catalog: Catalog, clock: FixedClock
) -> None:
    ana = await add_clinician(sessions, user=11)
    assert ana.id is not None
    await flows.start(sessions, catalog, clock, clinician_id=ana.id, program_id="rupture-repair")
    await _typed(sessions, catalog, clock, ana.id, "The client withdrew")
    await _typed(sessions, catalog, clock, ana.id, "They went quiet.")
    listening = await _typed(sessions, catalog, clock, ana.id, "2")
    assert listening.step.id == "listening" and not listening.offer_support
