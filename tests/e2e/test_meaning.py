"""Concepts by meaning where clinicians see them: suggested at the end of a reflection (kept or
removed), in the digest and the export with the clinician's own words, and /search."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import ReflectionConcept
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness
from tests.e2e.meaning_support import RUPTURE_PARAPHRASE, TRAP, check_in_saying
from tests.e2e.privacy_support import rows_of
from tests.e2e.test_digest import add_weekly_digest, concept_links
from tests.e2e.test_export import body_of, download, next_document

RUPTURE = "rupture-and-repair"


async def _decisions(bot: Harness) -> dict[str, bool]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(
            select(ReflectionConcept.slug, ReflectionConcept.kept)  # type: ignore[call-overload]
        )
        return {slug: kept for slug, kept in rows}


async def test_a_paraphrased_rupture_is_suggested_and_kept_with_the_reflection(
    bot_on: Harness,
) -> None:
    """A check-in that describes a withdrawal without naming it ends with "This seemed to
    touch on" the rupture card; Keep stores it with the reflection and the buttons say so;
    Remove turns that around."""
    bot = bot_on
    await bot.onboard()
    await check_in_saying(bot, RUPTURE_PARAPHRASE)
    card = bot.services.catalog.concept(RUPTURE)
    offered = await bot.expect("This seemed to touch on")
    assert card.name in offered.text
    assert f"Keep: {card.name}" in offered.button_texts

    answer = await bot.press_for_answer(f"Keep: {card.name}", offered)
    assert answer.text == "Kept with this reflection."
    edited = await bot.expect_edit(offered)
    assert f"✓ {card.name}" in edited.button_texts
    assert (await _decisions(bot))[RUPTURE] is True

    await bot.press_for_answer("✕ Remove", edited)
    edited = await bot.expect_edit(edited)
    assert f"Keep: {card.name}" in edited.button_texts and "✕ Removed" in edited.button_texts
    assert (await _decisions(bot))[RUPTURE] is False


async def test_a_trap_sentence_suggests_nothing(bot: Harness) -> None:
    """Trigger words in another sense ("broke") end the reflection with no suggestion: the
    next thing the clinician sees after the thank-you is the follow-up offer."""
    await bot.onboard()
    await check_in_saying(bot, TRAP)
    following = await bot.expect()
    assert "This seemed to touch on" not in following.text
    assert "repair" in following.text  # the check-in's follow-up offer
    assert await _decisions(bot) == {}


async def test_the_digest_quotes_the_sentence_that_carried_a_concept(bot: Harness) -> None:
    """/digest's "What you reflected on" links the rupture card a paraphrase carried, with
    the clinician's own sentence; a card they removed from a reflection is not taken from it."""
    await bot.onboard()
    await check_in_saying(bot, RUPTURE_PARAPHRASE)
    offered = await bot.expect("This seemed to touch on")
    card = bot.services.catalog.concept(RUPTURE)
    await bot.press_for_answer(f"Keep: {card.name}", offered)
    await bot.expect_edit(offered)

    await bot.say("/digest")
    digest = await bot.expect("Your week so far")
    assert f"{card.name} — you wrote “{RUPTURE_PARAPHRASE}”" in digest.text
    assert concept_links(digest)[card.name] == f"c-{RUPTURE}"


async def test_the_digest_leaves_out_what_a_trap_sentence_seemed_to_say(bot: Harness) -> None:
    """A trap sentence carries nothing: no line of the digest quotes it."""
    await bot.onboard()
    await check_in_saying(bot, TRAP)
    await bot.say("/digest")
    digest = await bot.expect("Your week so far")
    assert "What you reflected on" in digest.text  # the check-in's own concepts
    assert TRAP not in digest.text.split("In your own words")[0]


async def test_the_export_lists_what_each_reflection_touched_by_meaning(bot_on: Harness) -> None:
    """/export: the paraphrased check-in lists the rupture card with the sentence that carried
    it, linking to the glossary's entry; the trap check-in lists nothing by meaning."""
    bot = bot_on
    await bot.onboard()
    await check_in_saying(bot, RUPTURE_PARAPHRASE)
    await bot.expect("This seemed to touch on")
    await bot.expect("repair")  # the follow-up offer
    await check_in_saying(bot, TRAP)
    await bot.expect("repair")

    await bot.say("/export")
    _, body = body_of(await download(bot, (await next_document(bot)).document))
    card = bot.services.catalog.concept(RUPTURE)
    entries = body.split("\n## ")
    paraphrased = next(e for e in entries if RUPTURE_PARAPHRASE.split(" ")[3] in e)
    trapped = next(e for e in entries if "projector" in e)
    touched = next(line for line in paraphrased.splitlines() if line.startswith("Touched on:"))
    assert f"[{card.name}](#" in touched
    assert "“She went quiet and kept saying" in touched
    assert "Touched on:" not in trapped
    assert f"## {card.name}" in body  # the glossary covers it


async def test_search_finds_a_reflection_by_a_paraphrase_and_opens_it(bot: Harness) -> None:
    """/search with other words for the withdrawal finds that check-in first, with its date,
    program and sentence; its number opens the journal entry."""
    await bot.onboard()
    await check_in_saying(bot, TRAP)
    await bot.expect("repair")
    await check_in_saying(bot, RUPTURE_PARAPHRASE)
    await bot.expect("This seemed to touch on")
    await bot.expect("repair")

    await bot.say("/search my client shut down and withdrew when I pressed her about homework")
    found = await bot.expect("Closest to")
    assert found.protect_content
    first = found.text.split("\n\n")[1]
    assert first.startswith("1. Mon 2 Nov 2026 · Post-session check-in")
    assert "She went quiet and kept saying" in first
    assert "projector" not in first

    await bot.press("1", found)
    entry = await bot.expect("Post-session check-in")
    assert RUPTURE_PARAPHRASE in entry.text


async def test_search_without_words_says_how(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/search")
    await bot.expect("Send /search with a few words")
    await bot.say("/search anything at all")
    await bot.expect("None of your reflections came close")


async def test_forget_erases_the_concepts_kept_with_reflections(bot_on: Harness) -> None:
    """What a reflection carried, and what the clinician kept, goes with /forget."""
    bot = bot_on
    await bot.onboard()
    await check_in_saying(bot, RUPTURE_PARAPHRASE)
    offered = await bot.expect("This seemed to touch on")
    card = bot.services.catalog.concept(RUPTURE)
    await bot.press_for_answer(f"Keep: {card.name}", offered)
    await bot.expect_edit(offered)
    assert "reflection_concept" in await rows_of(bot.services.sessions, USER)

    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press(texts.FORGET_BUTTON, confirm)
    await bot.expect("Everything I held about you is erased")
    assert await rows_of(bot.services.sessions, USER) == {}
    assert await _decisions(bot) == {}


async def test_the_scheduled_digest_quotes_the_paraphrase_too(bot_on: Harness) -> None:
    """The weekly digest sent by the scheduler (not /digest) carries the same line."""
    bot = bot_on
    await bot.onboard()
    await check_in_saying(bot, RUPTURE_PARAPHRASE)
    await bot.expect("This seemed to touch on")
    await add_weekly_digest(bot, weekday=6, at=time(18, 0))
    bot.clock.set(datetime(2026, 11, 8, 18, 0, tzinfo=UTC))  # Sunday 18:00 in London
    assert (await bot.tick()).sent == 1
    digest = await bot.expect("Your week in reflection")
    card = bot.services.catalog.concept(RUPTURE)
    assert f"{card.name} — you wrote “{RUPTURE_PARAPHRASE}”" in digest.text
