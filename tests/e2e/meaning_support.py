"""What the concepts-by-meaning tests share: a reflection answered in the clinician's own words."""

from __future__ import annotations

from typing import Any

from reflect_bot.catalog import Program, StepKind
from tests.e2e.harness import USER, Harness
from tests.shipped import CHECKIN_PROGRAM_ID

#: A withdrawal rupture in a clinician's words: neither the card's name nor any synonym.
RUPTURE_PARAPHRASE = "She went quiet and kept saying 'fine, whatever' after I pushed the homework."
#: The card's trigger words in another sense: nothing may be suggested for it.
TRAP = "The data projector broke in the middle of the group session."


async def reflect_in_words(
    bot: Harness,
    program: Program,
    first_question: Any,
    *,
    words: str,
    picks: dict[str, str] | None = None,
    user: int = USER,
) -> Any:
    """Answers every question of `program`, typing `words` for each text step (pressing the
    first option or `picks[step]` otherwise); returns the thank-you message."""
    answers: dict[str, str | int] = {}
    message = first_question
    step = program.next_step(None, answers)
    while step is not None:
        assert step.question in message.text, f"expected {step.id!r}, got {message.text!r}"
        if step.kind is StepKind.TEXT:
            await bot.say(words, user=user)
            answers[step.id] = words
        else:
            answers[step.id] = await bot.answer_step(
                step, message, pick=(picks or {}).get(step.id), user=user
            )
        message = await bot.expect(user=user)
        step = program.next_step(step.id, answers)
    assert "Thank you" in message.text, message.text
    return message


async def check_in_saying(bot: Harness, words: str, *, rupture: str = "withdrawal") -> Any:
    """/checkin with a rupture, every text answer `words`; returns the thank-you message."""
    checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    first = await bot.expect(checkin.title)
    return await reflect_in_words(bot, checkin, first, words=words, picks={"rupture": rupture})
