"""Where a reflection touches something heavy — a feeling still strong after naming it, one's
own attachment history, a rupture still felt — the bot offers support kindly, naming the
deployment's own support (REFLECT_SUPPORT_TEXT) or kinds of help; those questions can be
skipped, and no other question carries the offer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from reflect_bot.catalog import Program
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness, running_bot

# Words of the offer that no question of the catalog uses.
OFFER = "You don't have to carry it alone"
CLINIC_SUPPORT = "the Riverside staff wellbeing line & your line manager"


@pytest.fixture
async def clinic_bot(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """A deployment that names its own support in its environment, as an operator would."""
    monkeypatch.setenv("REFLECT_SUPPORT_TEXT", CLINIC_SUPPORT)
    async with running_bot(
        database_url=migrated_sqlite_url, data_dir=tmp_path, key=encryption_key
    ) as harness:
        assert harness.settings.support_text == CLINIC_SUPPORT
        yield harness


async def _walk(bot: Harness, program: Program) -> list[tuple[str, Any]]:
    """Answers every question of `program` by button or a sentence (ratings 4, first
    options); returns each step id with the message that asked it."""
    await bot.say(f"/reflect {program.id}")
    message = await bot.expect(program.title)
    asked: list[tuple[str, Any]] = []
    answers: dict[str, str | int] = {}
    step = program.next_step(None, answers)
    while step is not None:
        assert step.question in message.text, f"expected {step.id!r}, got {message.text!r}"
        asked.append((step.id, message))
        answers[step.id] = await bot.answer_step(step, message)
        message = await bot.expect()
        step = program.next_step(step.id, answers)
    assert "Thank you" in message.text, message.text
    return asked


async def test_the_offer_comes_with_the_support_steps_and_no_others(bot: Harness) -> None:
    """Every program walked through: the offer (with the default support, kinds of help and
    no numbers) is on exactly the questions marked offers_support."""
    await bot.onboard()
    offered: list[str] = []
    for program in bot.services.catalog.programs.values():
        for step_id, message in await _walk(bot, program):
            step = program.step(step_id)
            assert (OFFER in message.text) == step.offers_support, (program.id, step_id)
            if step.offers_support:
                assert texts.DEFAULT_SUPPORT_TEXT in message.text
                assert message.text.index(step.question) < message.text.index(OFFER)
                offered.append(f"{program.id}/{step_id}")
    assert sorted(offered) == [
        "affect-labeling/support",  # rated 4 after naming it: still strong
        "rupture-repair/shaken_care",  # rated 4: still with them
        "secure-base/familiar",  # their own attachment history
    ]


async def test_a_feeling_that_eased_brings_no_offer(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    question = await bot.expect("how strong is the feeling")
    await bot.press("5", question)
    await bot.say("Dread")
    family = await bot.expect("Which family")
    await bot.press(family.button_texts[1], family)
    await bot.expect("When did it show up")
    await bot.say("Before a hard session.")
    body = await bot.expect("Where do you feel it")
    assert OFFER not in body.text
    await bot.say("/skip")
    after = await bot.expect("Now that you've named it")
    await bot.press("2", after)
    need = await bot.expect()
    assert "What does this feeling tell you" in need.text, need.text
    assert OFFER not in need.text


async def test_a_strong_feeling_is_offered_the_deployments_support_and_can_be_skipped(
    clinic_bot: Harness,
) -> None:
    bot = clinic_bot
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    question = await bot.expect("how strong is the feeling")
    await bot.press("5", question)
    await bot.say("Dread")
    family = await bot.expect("Which family")
    await bot.press(family.button_texts[1], family)
    await bot.expect("When did it show up")
    await bot.say("Before a hard session.")
    await bot.expect("Where do you feel it")
    await bot.say("/skip")
    after = await bot.expect("Now that you've named it")
    await bot.press("5", after)

    support = await bot.expect("It's still strong")
    assert OFFER in support.text
    assert CLINIC_SUPPORT in support.text, "the deployment's words, as written"
    assert texts.DEFAULT_SUPPORT_TEXT not in support.text
    assert texts.SKIP_BUTTON in support.button_texts

    await bot.press(texts.SKIP_BUTTON, support)
    need = await bot.expect("What does this feeling tell you")
    assert OFFER not in need.text, "said once, with the question it belongs to"


async def test_a_rupture_still_felt_is_offered_support(clinic_bot: Harness) -> None:
    bot = clinic_bot
    await bot.onboard()
    await bot.say("/reflect rupture-repair")
    kind = await bot.expect("What kind of rupture")
    assert OFFER not in kind.text
    await bot.press("The client withdrew", kind)
    await bot.expect("Describe the moment")
    await bot.say("They went quiet after I mentioned the ending.")
    shaken = await bot.expect("still with you now")
    assert OFFER not in shaken.text
    await bot.press("5", shaken)
    care = await bot.expect("look after yourself")
    assert OFFER in care.text and CLINIC_SUPPORT in care.text
    await bot.say("/skip")
    listening = await bot.expect("Option, listening")
    assert OFFER not in listening.text


async def test_asked_again_after_a_sticker_the_offer_is_not_repeated(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect secure-base")
    safety = await bot.expect("How safe")
    await bot.press("4", safety)
    await bot.expect("What helped the room")
    await bot.say("Keeping to time.")
    pull = await bot.expect("which way did you feel pulled")
    await bot.press(pull.button_texts[2], pull)
    familiar = await bot.expect("feel familiar")
    assert OFFER in familiar.text and texts.DEFAULT_SUPPORT_TEXT in familiar.text

    await bot.emulator.send_sticker(USER)
    again = await bot.expect("only read text for now")
    assert "feel familiar" in again.text and OFFER not in again.text
    await bot.say("A little: wanting to rescue.")
    nxt = await bot.expect("someone from their past")
    assert OFFER not in nxt.text


async def test_help_names_the_deployments_support(clinic_bot: Harness) -> None:
    await clinic_bot.onboard()
    await clinic_bot.say("/help")
    shown = await clinic_bot.expect("What I can do")
    assert CLINIC_SUPPORT in shown.text


async def test_help_names_kinds_of_support_by_default(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/help")
    shown = await bot.expect("What I can do")
    assert texts.DEFAULT_SUPPORT_TEXT in shown.text
