"""An answer that seemed to identify a client and was kept as written (kept, or the offer
ignored) is listed before /export sends the file — by date, program and question, never its
words — with a way to replace it; the same list shows under the reflection in /journal. Once
replaced with a clean wording it is no longer listed."""

from __future__ import annotations

from typing import Any

from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness

NAMED = "Dread. My client Sarah cancelled again; her email is sarah.k@example.org"
CLEAN = "Dread, when a client cancelled again."
FEELING_QUESTION = "In one or two words, what is the feeling?"
BEFORE_FILE = "Before your file"


async def _name_the_feeling(bot: Harness, *, keep: bool) -> None:
    """Affect labelling with a flagged "feeling" answer: kept, or the offer ignored."""
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("how strong is the feeling")
    await bot.press("3", first)
    await bot.expect(FEELING_QUESTION)
    await bot.say(NAMED)
    notice = await bot.expect("I noticed")
    family = await bot.expect("Which family")
    if keep:
        await bot.press_for_answer(texts.KEEP_ANSWER_BUTTON, notice)
    await bot.press(family.button_texts[1], family)
    await bot.expect("When did it show up")
    await bot.say("Before the session.")
    await bot.expect("Where do you feel it")
    await bot.say("/skip")
    after = await bot.expect("Now that you've named it")
    await bot.press("2", after)
    await bot.expect("What does this feeling tell you")
    await bot.say("/skip")
    await bot.expect("Thank you")


def _lists_the_feeling_answer(message: Any) -> None:
    assert "Name the feeling" in message.text
    assert FEELING_QUESTION in message.text
    assert "Sarah" not in message.text and "example.org" not in message.text, "never echoed"
    assert message.button_texts == [texts.FLAGGED_REPLACE_BUTTON.format(number=1)]


async def test_export_lists_a_kept_flagged_answer_before_the_file(bot_on: Harness) -> None:
    bot = bot_on
    await bot.onboard()
    await _name_the_feeling(bot, keep=False)  # the offer to replace is simply ignored

    await bot.say("/export")
    notice = await bot.expect()
    assert BEFORE_FILE in notice.text, notice.text
    _lists_the_feeling_answer(notice)
    assert "2026-11-02" in notice.text  # the reflection's date (the harness's Monday)
    assert "/journal" in notice.text
    document = await bot.expect()
    assert document.document is not None, "the file comes after the notice"

    # Replacing it from the notice clears it: the next export goes straight to the file.
    await bot.press(texts.FLAGGED_REPLACE_BUTTON.format(number=1), notice)
    await bot.expect("send the new wording")
    await bot.say(CLEAN)
    await bot.expect("I've replaced that answer")
    await bot.say("/export")
    again = await bot.expect()
    assert again.document is not None, again.text


async def test_the_journal_lists_a_kept_answer_under_its_reflection(bot: Harness) -> None:
    await bot.onboard()
    await _name_the_feeling(bot, keep=True)

    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("1", page)
    await bot.expect("Name the feeling")
    listed = await bot.expect("could identify a client")
    _lists_the_feeling_answer(listed)

    await bot.press(texts.FLAGGED_REPLACE_BUTTON.format(number=1), listed)
    await bot.expect("send the new wording")
    await bot.say(CLEAN)
    await bot.expect("I've replaced that answer")

    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("1", page)
    await bot.expect("Name the feeling")
    await bot.emulator.assert_no_bot_message(USER, within=0.5)


async def test_an_export_without_kept_flagged_answers_has_no_notice(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("how strong is the feeling")
    await bot.press("3", first)
    await bot.expect(FEELING_QUESTION)
    await bot.say(CLEAN)
    family = await bot.expect("Which family")
    assert "I noticed" not in family.text
    await bot.say("/cancel")
    await bot.expect("Stopped")
    await bot.say("/export")
    document = await bot.expect()
    assert document.document is not None, document.text
