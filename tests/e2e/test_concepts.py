"""Concept cards are browsable in chat: the index, a card, a related card, and a deep link."""

from tests.e2e.harness import Harness
from tests.shipped import CHECKIN_PROGRAM_ID, PROGRAM_IDS


async def test_index_card_related_card_and_deep_link(bot: Harness) -> None:
    catalog = bot.services.catalog
    await bot.say("/concepts")
    index = await bot.expect("Concept cards")
    for heading in ("The alliance", "Empathy", "Attachment", "Neurobiology", "Therapy lenses"):
        assert heading in index.text
    assert len(index.button_texts) == len(catalog.concepts)

    alliance = catalog.concept("therapeutic-alliance")
    await bot.press(alliance.name, index)
    card = await bot.expect(alliance.name)
    assert "In the room:" in card.text
    assert "Sources" in card.text and "The What and Why of the Therapeutic Alliance" in card.text
    assert "Reflect on this" in card.button_texts

    related = catalog.concept(alliance.related[0])
    await bot.press(related.name, card)
    related_card = await bot.expect(related.name)
    assert related.sources[0].section in related_card.text

    await bot.say("/start c-mirror-neurons")
    neuro = await bot.expect(catalog.concept("mirror-neurons").name)
    assert "not clinical tests" in neuro.text or "not a clinical test" in neuro.text

    await bot.say("/start c-no-such-card")
    await bot.expect("couldn't find that concept card")


async def test_programs_lists_purpose_and_duration(bot: Harness) -> None:
    await bot.say("/programs")
    listing = await bot.expect("Reflections you can do")
    checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    assert checkin.title in listing.text
    assert f"about {checkin.duration_minutes} min" in listing.text
    assert list(bot.services.catalog.programs) == list(PROGRAM_IDS)
    for program_id in bot.services.catalog.programs:
        assert f"/reflect {program_id}" in listing.text
