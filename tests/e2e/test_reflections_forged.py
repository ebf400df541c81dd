"""Buttons nobody was shown: forged or mangled callback data changes nothing it should not and
always gets a kind answer (a button's data is whatever the client sends)."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Delivery, Reflection, Schedule
from reflect_bot.db.repositories import clinicians
from reflect_bot.emulator import MessageRecord
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness
from tests.shipped import CHECKIN_PROGRAM_ID

OTHER_USER = 2002


async def _reflections(bot: Harness) -> list[Reflection]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(select(Reflection).order_by(col(Reflection.id)))
        return list(rows.scalars())


async def _prompt_sent_to(bot: Harness, user: int) -> int:
    """A delivery row for a prompt sent to this user, as the scheduler leaves it."""
    now = bot.clock.now()
    async with transaction(bot.services.sessions) as session:
        clinician = await clinicians.get_by_user(session, telegram_user_id=user)
        assert clinician is not None and clinician.id is not None
        schedule = Schedule(
            clinician_id=clinician.id,
            program_id=CHECKIN_PROGRAM_ID,
            local_time=time(8, 0),
            created_at=now,
            updated_at=now,
        )
        session.add(schedule)
        await session.flush()
        assert schedule.id is not None
        delivery = Delivery(
            clinician_id=clinician.id,
            schedule_id=schedule.id,
            local_date=date(2026, 5, 4),
            program_id=CHECKIN_PROGRAM_ID,
            due_at=now,
            status="sent",
            created_at=now,
        )
        session.add(delivery)
        await session.flush()
        assert delivery.id is not None
        return delivery.id


async def _press(bot: Harness, message: MessageRecord, data: str) -> str | None:
    query = await bot.emulator.press_button(USER, message.message_id, data, strict=False)
    answer = await bot.emulator.wait_for_callback_answer(query)
    text: str | None = answer.text
    return text


@pytest.mark.parametrize("whose", ["foreign", "unknown"])
async def test_discard_and_start_ignores_a_prompt_that_is_not_theirs(
    bot: Harness, whose: str
) -> None:
    """`rf:d:<reflection>:<program>:<delivery>` names a delivery: a forged one naming someone
    else's prompt (or none at all) starts the program all the same, linked to nothing."""
    await bot.onboard(user=OTHER_USER)
    theirs = await _prompt_sent_to(bot, OTHER_USER) if whose == "foreign" else 987654
    await bot.onboard()
    await bot.say("/reflect two-relationships")
    question = await bot.expect("1 of ")
    (open_one,) = await _reflections(bot)

    data = f"rf:d:{open_one.id}:{CHECKIN_PROGRAM_ID}:{theirs}"
    await bot.emulator.press_button(USER, question.message_id, data, strict=False)
    await bot.expect("Discarded")

    old, new = await _reflections(bot)
    assert (old.status, new.program_id, new.status) == (
        "discarded",
        CHECKIN_PROGRAM_ID,
        "in_progress",
    )
    assert new.delivery_id is None


async def test_discard_and_start_links_the_clinicians_own_prompt(bot: Harness) -> None:
    await bot.onboard()
    own = await _prompt_sent_to(bot, USER)
    await bot.say("/reflect two-relationships")
    question = await bot.expect("1 of ")
    (open_one,) = await _reflections(bot)

    data = f"rf:d:{open_one.id}:{CHECKIN_PROGRAM_ID}:{own}"
    await bot.emulator.press_button(USER, question.message_id, data, strict=False)
    await bot.expect("Discarded")
    assert (await _reflections(bot))[-1].delivery_id == own


async def test_superscript_and_other_non_ascii_digits_get_the_kind_answer(bot: Harness) -> None:
    """ "²".isdigit() is true and int("²") raises: buttons and commands carrying it are
    answered kindly and change nothing."""
    await bot.onboard()
    await bot.say(f"/reflect {CHECKIN_PROGRAM_ID}")
    question = await bot.expect("1 of ")
    (reflection,) = await _reflections(bot)
    rid = reflection.id
    for data in (
        "rf:a:²:bond:4",
        f"rf:a:{rid}:bond:²",
        f"rf:a:{rid}:bond:٣",
        "rf:s:²:note",
        "rf:r:²",
        f"rf:d:²:{CHECKIN_PROGRAM_ID}",
        f"rf:d:{rid}:{CHECKIN_PROGRAM_ID}:²",
    ):
        assert await _press(bot, question, data) == texts.STALE_BUTTON, data
    await bot.emulator.assert_no_bot_message(USER, within=0.2)
    (unchanged,) = await _reflections(bot)
    assert (unchanged.status, unchanged.current_step) == ("in_progress", "bond")

    await bot.say("/reflect ²")
    await bot.expect("I don't have a reflection called “²”")
    menu = await bot.expect("What would you like to reflect on?")
    assert len(menu.button_texts) == len(bot.services.catalog.programs)
