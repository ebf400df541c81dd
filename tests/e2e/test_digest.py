"""The weekly digest end to end: asked for with /digest, and sent on schedule; its concept
links open the concept cards."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import parse_qs, urlparse

from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import clinicians, schedules
from reflect_bot.domain.scheduling import mask_of
from tests.e2e.harness import USER, Harness
from tests.shipped import CHECKIN_PROGRAM_ID


def concept_links(message: Any) -> dict[str, str]:
    """Concept names in the message and the /start payloads their links carry."""
    links = {}
    for entity in message.entities:
        if entity["type"] == "text_link":
            url = urlparse(entity["url"])
            assert (url.scheme, url.netloc, url.path) == ("https", "t.me", "/reflect_test_bot")
            name = message.text[entity["offset"] : entity["offset"] + entity["length"]]
            links[name] = parse_qs(url.query)["start"][0]
    return links


async def check_in_with_a_rupture(bot: Harness) -> None:
    checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    first = await bot.expect(checkin.title)
    await bot.reflect_through(checkin, first, picks={"rupture": "withdrawal"})
    await bot.expect("thinking through a repair")  # an offer, left alone here


async def test_digest_this_week_so_far_and_last_week(bot: Harness) -> None:
    """/digest shows the week so far with the rupture left unrepaired and links to the
    concepts; following a link opens the card; /digest last is last week's (empty) one."""
    await bot.onboard()
    await check_in_with_a_rupture(bot)

    await bot.say("/digest")
    digest = await bot.expect("Your week so far")
    assert digest.protect_content
    assert "1 reflection completed" in digest.text
    assert "Bond 4.0 (nothing to compare yet)" in digest.text
    assert "Withdrawal 1\n0 of 1 followed by a repair reflection" in digest.text
    assert "Try Rupture repair: you noted a rupture on Monday" in digest.text
    assert "Start: Rupture repair" in digest.button_texts
    links = concept_links(digest)
    rupture_card = bot.services.catalog.concept("rupture-and-repair")
    # The check-in exercises the card. "Thinking about rupture what." names it but means
    # nothing by it, so no words are quoted (by meaning: tests/e2e/test_meaning.py).
    assert links[rupture_card.name] == "c-rupture-and-repair"
    assert "you wrote “rupture”" not in digest.text

    await bot.say(f"/start {links[rupture_card.name]}")
    card = await bot.expect(rupture_card.name)
    assert "Sources" in card.text and rupture_card.sources[0].section in card.text

    await bot.say("/digest last")
    last = await bot.expect("Your week in reflection")
    assert "26 October – 1 November 2026" in last.text
    assert "No reflections this week" in last.text

    await bot.say("/digest soon")
    await bot.expect("/digest last")


async def add_weekly_digest(bot: Harness, *, weekday: int, at: time) -> None:
    """A digest schedule as /schedule stores it, planned from now on."""
    services = bot.services
    async with transaction(services.sessions) as session:
        clinician = await clinicians.get_by_user(session, telegram_user_id=USER)
        assert clinician is not None and clinician.id is not None
        await schedules.add(
            session,
            clinician_id=clinician.id,
            kind="digest",
            program_id=None,
            weekdays=mask_of([weekday]),
            local_time=at,
            now=services.clock.now(),
        )


async def test_a_scheduled_digest_arrives_once_and_links_to_concept_cards(bot_on: Harness) -> None:
    """Sunday 18:00 London: the week's digest arrives through the delivery machinery, once
    for the week even with a second digest day; a concept link opens its card."""
    bot = bot_on
    await bot.onboard()
    await check_in_with_a_rupture(bot)
    await add_weekly_digest(bot, weekday=5, at=time(17, 0))  # Saturday
    await add_weekly_digest(bot, weekday=6, at=time(18, 0))  # Sunday, the same ISO week

    bot.clock.set(datetime(2026, 11, 7, 17, 0, tzinfo=UTC))  # Saturday 17:00 in London
    assert (await bot.tick()).sent == 1
    digest = await bot.expect("Your week in reflection")
    assert "2–8 November 2026" in digest.text and digest.protect_content
    assert "Withdrawal 1" in digest.text

    bot.clock.set(datetime(2026, 11, 8, 18, 0, tzinfo=UTC))  # Sunday 18:00: already sent
    report = await bot.tick()
    assert (report.sending.sent, report.sending.skipped) == (0, 1)

    links = concept_links(digest)
    alliance = bot.services.catalog.concept("therapeutic-alliance")
    await bot.say(f"/start {links[alliance.name]}")
    card = await bot.expect(alliance.name)
    assert "In the room:" in card.text
