"""Numbers in /schedule's buttons and in /pause are ASCII digits only: anything else (a
superscript "²" is a digit to str.isdigit(), and int("²") raises) gets the kind reply a
stale button or a wrong command gets, never an error, and changes nothing."""

from __future__ import annotations

from reflect_bot.emulator import MessageRecord
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness


async def _overview(bot: Harness) -> MessageRecord:
    await bot.onboard()
    await bot.say("/schedule")
    screen: MessageRecord = await bot.expect("Your prompts")
    return screen


async def test_a_pressed_superscript_digit_is_a_stale_button_not_an_error(bot: Harness) -> None:
    screen = await _overview(bot)

    for forged in ("sch:ed:²", "sch:dy:0:*:²", "sch:sv:0:*:31:²⁰⁰⁰", "pr:go:²", "pr:1h:¹"):
        query = await bot.emulator.press_button(USER, screen.message_id, forged, strict=False)
        answer = await bot.emulator.wait_for_callback_answer(query)
        assert answer.text == texts.STALE_BUTTON, forged

    await bot.say("/schedule")
    again = await bot.expect("Your prompts")
    assert "no scheduled prompts" in again.text  # nothing was added or changed


async def test_a_typed_superscript_digit_after_pause_gets_the_usage(bot: Harness) -> None:
    await bot.onboard()

    await bot.say("/pause ²")
    await bot.expect(texts.PAUSE_USAGE)
    await bot.say("/pause ٣")  # Arabic-Indic three
    await bot.expect(texts.PAUSE_USAGE)

    await bot.say("/pause 3")
    await bot.expect("Prompts are paused; they start again on")
