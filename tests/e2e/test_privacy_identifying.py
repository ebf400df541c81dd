"""An answer that seems to identify a client is stored as sent, and the bot says so gently
and offers to replace it; replacing deletes the old wording for good."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, AnswerRevision
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness

NAMED = "My client Sarah went quiet; her email is sarah.k@example.org"


async def _answer(bot: Harness, step_id: str) -> Answer:
    async with transaction(bot.services.sessions) as session:
        query = select(Answer).where(col(Answer.step_id) == step_id)
        return (await session.execute(query)).scalar_one()


async def _revisions(bot: Harness) -> int:
    async with transaction(bot.services.sessions) as session:
        query = select(func.count()).select_from(AnswerRevision)
        return int((await session.execute(query)).scalar_one())


async def test_identifying_details_are_noticed_and_can_be_replaced(bot_on: Harness) -> None:
    bot = bot_on
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("how strong is the feeling")
    await bot.press("4", first)
    await bot.expect("what is the feeling?")
    sent = await bot.say(NAMED)

    notice = await bot.expect("I noticed")
    assert "an email address and what looks like a client's name" in notice.text
    assert "Sarah" not in notice.text and "example.org" not in notice.text, "never echoed"
    assert notice.button_texts == [texts.REPLACE_ANSWER_BUTTON, texts.KEEP_ANSWER_BUTTON]
    family = await bot.expect("Which family")  # the reflection carries on meanwhile
    assert (await _answer(bot, "feeling")).text == NAMED, "stored as sent"

    # An edit of the message keeps the earlier wording as a revision...
    await bot.emulator.edit_text(USER, sent["message_id"], NAMED + " (edited)")
    await bot.expect("updated that answer")
    assert await _revisions(bot) == 1

    # ...while "Replace my answer" deletes every earlier wording.
    await bot.press(texts.REPLACE_ANSWER_BUTTON, notice)
    await bot.expect("send the new wording")
    await bot.say("A client went quiet when I named the pause.")
    await bot.expect("I've replaced that answer")
    replaced = await _answer(bot, "feeling")
    assert replaced.text == "A client went quiet when I named the pause."
    assert replaced.edited_at is not None and await _revisions(bot) == 0

    # The reflection goes on from the question it was on.
    await bot.press(family.button_texts[0], family)
    await bot.expect("When did it show up")
    await bot.say("After the session, reading notes. Call 07700 900123 tomorrow.")
    second = await bot.expect("a phone number")
    await bot.expect("Where do you feel it")
    answer = await bot.press_for_answer(texts.KEEP_ANSWER_BUTTON, second)
    assert answer.text == texts.ANSWER_KEPT
    kept = await _answer(bot, "situation")
    assert kept.text == "After the session, reading notes. Call 07700 900123 tomorrow."


async def test_ordinary_answers_get_no_notice(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("how strong is the feeling")
    await bot.press("4", first)
    await bot.expect("what is the feeling?")
    await bot.say("Frustration, rated 4/5, since our 10:30 session on Monday")
    nxt = await bot.expect()
    assert "Which family" in nxt.text, nxt.text


async def test_an_edit_that_adds_identifying_details_is_noticed(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("how strong is the feeling")
    await bot.press("4", first)
    await bot.expect("what is the feeling?")
    sent = await bot.say("Frustration after the session")
    await bot.expect("Which family")

    await bot.emulator.edit_text(USER, sent["message_id"], NAMED)
    await bot.expect("updated that answer")
    notice = await bot.expect("I noticed")
    assert notice.button_texts == [texts.REPLACE_ANSWER_BUTTON, texts.KEEP_ANSWER_BUTTON]
    assert (await _answer(bot, "feeling")).text == NAMED, "the edit is stored as sent"
