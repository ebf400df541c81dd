"""Whatever a clinician sends during a reflection gets a clear, kind reply and loses nothing.

The harness fails any test in which the bot sent something Telegram would refuse (bad HTML,
over 4,096 characters, oversized callback data), so every test here also proves that.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Reflection
from reflect_bot.emulator import MessageRecord
from tests.e2e.harness import USER, Harness
from tests.shipped import CHECKIN_PROGRAM_ID

OTHER_USER = 2002


async def _answers(bot: Harness) -> list[Answer]:
    async with transaction(bot.services.sessions) as session:
        return list((await session.execute(select(Answer).order_by(col(Answer.id)))).scalars())


async def _reflection(bot: Harness) -> Reflection:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(select(Reflection).order_by(col(Reflection.id).desc()))
        reflection = rows.scalars().first()
    assert reflection is not None
    return reflection


async def _start(bot: Harness, program_id: str = "two-relationships") -> MessageRecord:
    """Starts a reflection; returns its first question."""
    await bot.onboard()
    await bot.say(f"/reflect {program_id}")
    question: MessageRecord = await bot.expect("1 of ")
    return question


async def test_non_text_messages_get_kind_reply_and_the_question_again(bot: Harness) -> None:
    await _start(bot, CHECKIN_PROGRAM_ID)
    question = bot.services.catalog.program(CHECKIN_PROGRAM_ID).steps[0].question
    emulator = bot.emulator
    senders: tuple[Callable[[], Awaitable[dict[str, Any]]], ...] = (
        lambda: emulator.send_sticker(USER),
        lambda: emulator.send_photo(USER, caption="a caption"),
        lambda: emulator.send_voice(USER),
        lambda: emulator.send_document(USER),
        lambda: emulator.send_location(USER),
    )
    for send in senders:
        await send()
        reply = await bot.expect()
        assert "only read text for now" in reply.text and question in reply.text
        assert reply.button_texts[:5] == ["1", "2", "3", "4", "5"]
    assert await _answers(bot) == []
    await bot.press("3", reply)
    await bot.expect("2 of ")


async def test_non_text_outside_a_reflection(bot: Harness) -> None:
    await bot.onboard()
    await bot.emulator.send_sticker(USER)
    await bot.expect("only read text for now")


TRICKY = [
    "<b>not bold</b> & <i>nor this</i> </b> <script>alert(1)</script>",
    "*bold?* _italic?_ [link](http://example.com) `code` ~strike~ ||spoiler|| &amp; &lt;",
    "Emoji 🙂👩🏽‍⚕️🫶 and flags 🇬🇧🇩🇪",
    "RTL: שלום, مرحبا بك — mixed with English",
    "zero\u200bwidth\u200cjoiners\u200d and\u2060word\ufeffjoiner and \u202eoverride",
    "line one\n\n   indented line three\n\ttabbed",
]


@pytest.mark.parametrize(
    "answer", TRICKY, ids=["html", "markdown", "emoji", "rtl", "zero-width", "lines"]
)
async def test_tricky_text_is_stored_exactly_and_shown_safely(bot: Harness, answer: str) -> None:
    """Markup, emoji, right-to-left and invisible characters are stored byte for byte and
    come back in the journal as typed (escaped, never interpreted)."""
    await _start(bot)
    await bot.say(answer)
    await bot.expect("2 of ")
    [stored] = await _answers(bot)
    assert stored.text == answer
    await bot.say("/journal")
    listing = await bot.expect("Your journal")
    await bot.press("1", listing)
    entry = await bot.expect("Two relationships")
    assert answer.strip() in entry.text  # shown as typed: markup escaped, not interpreted


async def test_longest_possible_answer_is_stored_and_journal_splits_it(bot: Harness) -> None:
    """A 4,096-character answer (Telegram's maximum) is stored whole; the journal shows it
    across messages that each stay within the limit."""
    await _start(bot)
    answer = ("Ünïcödé & <tags> 🙂 " * 300)[:4096]
    assert len(answer) == 4096
    await bot.say(answer)
    await bot.expect("2 of ")
    [stored] = await _answers(bot)
    assert stored.text == answer

    await bot.say("/journal")
    listing = await bot.expect("Your journal")
    assert len(listing.text) < 1000  # only a preview of the first line
    await bot.press("1", listing)
    shown = [await bot.expect("Two relationships")]
    while answer not in "".join(m.text for m in shown) and len(shown) < 4:
        shown.append(await bot.expect())
    assert answer in "".join(m.text for m in shown)
    assert all(len(m.text) <= 4096 and m.protect_content for m in shown)


async def test_a_command_mid_reflection_is_handled_and_the_reflection_stays_open(
    bot: Harness,
) -> None:
    await _start(bot)
    await bot.say("/help")
    await bot.expect("What I can do")
    await bot.say("/journal")
    await bot.expect("Your journal")
    await bot.say("Still answering the first question")
    await bot.expect("2 of ")
    assert (await _reflection(bot)).status == "in_progress"


async def test_typed_rating_and_choice_are_accepted_otherwise_asked_again(bot: Harness) -> None:
    """ "4", "four" and an option's label count as presses; anything else re-asks."""
    await _start(bot, CHECKIN_PROGRAM_ID)
    await bot.say("pretty good")
    again = await bot.expect("tap a number from 1 to 5")
    assert again.button_texts[:5] == ["1", "2", "3", "4", "5"]
    await bot.say("4")
    await bot.expect("2 of ")
    await bot.say("four")
    await bot.expect("3 of ")
    await bot.say("5/5")
    await bot.expect("4 of ")
    await bot.say(" 3. ")
    await bot.expect("5 of ")
    await bot.say("maybe")
    hint = await bot.expect("tap one of the options")
    assert "Not sure" in hint.button_texts
    await bot.say("not sure")
    await bot.expect("6 of ")
    stored = {a.step_id: a for a in await _answers(bot)}
    assert [stored[s].rating for s in ("bond", "goals", "tasks", "overall")] == [4, 4, 5, 3]
    assert stored["rupture"].choice == "unsure"


async def test_same_button_twice_and_old_buttons_change_nothing(bot: Harness) -> None:
    """A button pressed twice is answered once; buttons of a finished reflection get a kind
    notice and change nothing."""
    first = await _start(bot, CHECKIN_PROGRAM_ID)
    four = first.callback_data("4")
    await bot.press("4", first)
    await bot.expect("2 of ")
    query = await bot.emulator.press_button(USER, first.message_id, four, strict=False)
    answer = await bot.emulator.wait_for_callback_answer(query)
    assert answer.text == "That question has already been answered."
    assert len(await _answers(bot)) == 1

    await bot.say("/cancel")
    await bot.expect("Stopped")
    query = await bot.emulator.press_button(USER, first.message_id, four, strict=False)
    answer = await bot.emulator.wait_for_callback_answer(query)
    assert "has ended" in (answer.text or "")
    await bot.emulator.assert_no_bot_message(USER, within=0.2)
    assert len(await _answers(bot)) == 1


async def test_a_button_naming_someone_elses_reflection_does_nothing(bot: Harness) -> None:
    first = await _start(bot, CHECKIN_PROGRAM_ID)
    data = first.callback_data("5")
    await bot.onboard(user=OTHER_USER)
    theirs = bot.emulator.last_bot_message(OTHER_USER)
    query = await bot.emulator.press_button(
        OTHER_USER, theirs.message_id, data, from_user=OTHER_USER, strict=False
    )
    answer = await bot.emulator.wait_for_callback_answer(query)
    assert answer.text is not None and "left things as they are" in answer.text
    await bot.emulator.assert_no_bot_message(OTHER_USER, within=0.2)
    await bot.emulator.assert_no_bot_message(USER, within=0.05)
    assert await _answers(bot) == []
    assert (await _reflection(bot)).current_step == "bond"


async def test_the_same_update_delivered_twice_is_processed_once(bot: Harness) -> None:
    await _start(bot)
    await bot.say("Delivered twice")
    await bot.expect("2 of ")
    await bot.emulator.wait_for_updates_consumed()
    bot.emulator.inject_update(bot.emulator.updates[-1])
    await bot.emulator.wait_for_updates_consumed()
    await bot.emulator.assert_no_bot_message(USER, within=0.3)
    assert [a.text for a in await _answers(bot)] == ["Delivered twice"]
