"""Numbers in /forget's, the identifying notice's and /journal's buttons are read as ASCII
digits only: a forged press carrying "²" (`"²".isdigit()` is true, `int("²")` raises) or
Arabic-Indic digits gets the kind stale-button notice, and the bot carries on."""

from __future__ import annotations

from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness

FORGED = [
    "pv:f:²",  # erase me
    "pv:r:²",  # replace an answer
    "pv:n:²",  # keep an answer
    "pv:f:١٢",  # Arabic-Indic twelve
    "jr:o:²",  # open a reflection
    "jr:p:²",  # turn a page
    "jr:p:٥",  # Arabic-Indic five
]


async def test_a_pressed_superscript_number_gets_the_kind_reply(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/help")
    shown = await bot.expect("What I can do")
    for data in FORGED:
        query = await bot.emulator.press_button(USER, shown.message_id, data, strict=False)
        answer = await bot.emulator.wait_for_callback_answer(query)
        assert answer.text == texts.STALE_BUTTON, data
    await bot.emulator.assert_no_bot_message(USER, within=0.3)

    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press(texts.KEEP_BUTTON, confirm)
    await bot.expect("nothing has been erased")
