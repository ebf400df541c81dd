"""A clinician whose stored zone this machine's tz database does not know (the database moved
to a host with older tz data, say) still reflects and reads their journal, in UTC; their
schedule asks for their zone again, since no prompt can be timed without it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness
from tests.shipped import CHECKIN_PROGRAM_ID

UNKNOWN = "America/Not_Yet_In_This_Tzdata"


async def _forget_zone_here(bot: Harness) -> None:
    """Onboarded, then their zone becomes one this machine does not know."""
    await bot.onboard()
    async with transaction(bot.services.sessions) as session:
        mine = col(Clinician.telegram_user_id) == USER
        await session.execute(update(Clinician).where(mine).values(timezone=UNKNOWN))
        stored = await session.scalar(select(col(Clinician.timezone)).where(mine))
    assert stored == UNKNOWN


async def test_written_answers_are_taken_and_the_journal_opens(bot: Harness) -> None:
    await _forget_zone_here(bot)

    # Every written answer is screened against the clinician's local today.
    checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    first = await bot.expect(checkin.title)
    given, _ = await bot.reflect_through(checkin, first, typed=True)
    assert any(isinstance(value, str) and value.startswith("Thinking") for value in given.values())

    await bot.say("/journal")
    await bot.expect(checkin.title)


async def test_the_schedule_asks_for_the_zone_again_and_pause_still_works(bot: Harness) -> None:
    await _forget_zone_here(bot)
    offer = bot.emulator.last_bot_message(USER)  # the starter plan, still unanswered
    await bot.say("/schedule")
    asked = await bot.expect("no longer recognise")
    assert UNKNOWN in asked.text and "/timezone" in asked.text
    alert = await bot.press_for_answer(texts.STARTER_CHANGE, offer)
    assert "no longer recognise" in alert.text and alert.show_alert

    await bot.say("/pause 3")
    await bot.expect("Prompts are paused")

    await bot.say("/timezone")
    await bot.expect("Which time zone")
    await bot.say("Europe/Berlin")
    await bot.expect("Europe/Berlin")
    await bot.say("/schedule")
    await bot.expect("Europe/Berlin")
