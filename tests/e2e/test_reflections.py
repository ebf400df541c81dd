"""Reflections end to end: every program completes, answers are stored as given, and the
flow around them (progress, skip, cancel, resume/discard, follow-ups, completion) holds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlmodel import col

from reflect_bot.catalog import StepKind
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Reflection
from reflect_bot.emulator import BotAPIEmulator
from tests.e2e.harness import USER, Harness, running_bot
from tests.shipped import CHECKIN_PROGRAM_ID, PROGRAM_IDS


async def _reflections(bot: Harness) -> list[Reflection]:
    async with transaction(bot.services.sessions) as session:
        return list(
            (await session.execute(select(Reflection).order_by(col(Reflection.id)))).scalars()
        )


async def _answers(bot: Harness, reflection_id: int) -> dict[str, Answer]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(
            select(Answer).where(col(Answer.reflection_id) == reflection_id)
        )
        return {answer.step_id: answer for answer in rows.scalars()}


async def test_every_program_completes_and_stores_each_answer(bot: Harness) -> None:
    """Every shipped program, answered by its kind, ends with the thank-you and every answer
    stored exactly as given; ratings and choices by button, then typed, alternately."""
    await bot.onboard()
    catalog = bot.services.catalog
    assert set(catalog.programs) == set(PROGRAM_IDS)
    for number, program_id in enumerate(PROGRAM_IDS):
        program = catalog.program(program_id)
        await bot.say(f"/reflect {program_id}")
        first = await bot.expect(program.title)
        assert "1 of " in first.text and program.intro[:40] in first.text
        given, thanks = await bot.reflect_through(program, first, typed=number % 2 == 1)
        assert "Time spent: 1 minute" in thanks.text
        buttons = [b["callback_data"] for row in thanks.buttons for b in row]
        # A card per concept, then what can be done with the saved reflection.
        assert buttons[:-2] == [f"concept:{slug}" for slug in program.concepts]
        saved = (await _reflections(bot))[-1].id
        assert buttons[-2:] == [f"sv:m:{saved}", f"sl:s:{saved}"]

        reflection = (await _reflections(bot))[-1]
        assert (reflection.program_id, reflection.status) == (program_id, "completed")
        stored = await _answers(bot, reflection.id or 0)
        assert set(stored) == set(given)
        for step_id, value in given.items():
            answer = stored[step_id]
            kind = program.step(step_id).kind
            if kind is StepKind.RATING:
                assert answer.rating == value
            elif kind is StepKind.CHOICE:
                assert answer.choice == value
                assert answer.choice_label == program.step(step_id).option(str(value)).label
            else:
                assert answer.text == value
            assert answer.question == program.step(step_id).question
        if program.follow_up(given) is not None:
            await bot.expect("Start ")


async def test_checkin_reports_rupture_and_offers_repair(bot_on: Harness) -> None:
    """/checkin with a rupture asks the rupture questions, then offers rupture-repair, whose
    button starts it; progress counts the extra steps once they apply."""
    bot = bot_on
    await bot.onboard()
    checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    first = await bot.expect("Post-session check-in")
    assert "1 of 8" in first.text  # the three rupture steps are not counted yet

    await bot.press("4", first)
    edited = await bot.emulator.wait_for_edit(USER, first.message_id)
    assert "✓ 4 of 5" in (edited.text or "") and not edited.buttons

    message = await bot.expect("2 of 8")
    given: dict[str, str | int] = {"bond": 4}
    step = checkin.next_step("bond", given)
    while step is not None:
        pick = "withdrawal" if step.id == "rupture" else None
        given[step.id] = await bot.answer_step(step, message, pick=pick)
        message = await bot.expect()
        step = checkin.next_step(step.id, given)
        if step is not None and step.id == "rupture_what":
            assert "6 of 11" in message.text
    assert "Thank you" in message.text
    offer = await bot.expect("Would you like to spend a few minutes")
    await bot.press("Start Rupture repair", offer)
    repair = await bot.expect("Rupture repair")
    assert "1 of " in repair.text
    reflections = await _reflections(bot)
    assert [r.program_id for r in reflections] == [CHECKIN_PROGRAM_ID, "rupture-repair"]
    assert reflections[0].status == "completed" and reflections[1].status == "in_progress"


async def test_answers_are_encrypted_at_rest(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect two-relationships")
    await bot.expect("Two relationships")
    await bot.say("A sentence only I should be able to read")
    await bot.expect("2 of ")
    async with bot.services.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT text, question FROM answer"))).one()
    assert "only I should" not in raw.text and raw.text.startswith("gAAAA")
    assert "What" not in raw.question


async def test_time_spent_is_recorded_for_cpd(bot: Harness) -> None:
    """Minutes spent run from the start to the last answer."""
    await bot.onboard()
    program = bot.services.catalog.program("collaborative-empiricism")
    await bot.say("/reflect collaborative-empiricism")
    message = await bot.expect(program.title)
    given: dict[str, str | int] = {}
    step = program.next_step(None, given)
    while step is not None:
        bot.clock.advance(timedelta(minutes=2))
        given[step.id] = await bot.answer_step(step, message)
        message = await bot.expect()
        step = program.next_step(step.id, given)
    minutes = 2 * len(given)
    assert f"Time spent: {minutes} minutes" in message.text
    reflection = (await _reflections(bot))[-1]
    assert reflection.seconds_spent == minutes * 60


async def test_skip_optional_and_refuse_required(bot: Harness) -> None:
    """/skip passes an optional step (stored as skipped); a required one is asked again."""
    await bot.onboard()
    await bot.say("/skip")
    await bot.expect("no question waiting to be skipped")
    checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    message = await bot.expect("1 of 8")
    await bot.say("/skip")
    again = await bot.expect("can't be skipped")
    assert checkin.step("bond").question in again.text and again.buttons
    given: dict[str, str | int] = {}
    step = checkin.next_step(None, given)
    while step is not None and not step.optional:
        pick = "no" if step.id == "client_asked" else None
        given[step.id] = await bot.answer_step(step, message, pick=pick)
        message = await bot.expect()
        step = checkin.next_step(step.id, given)
    assert step is not None and "/skip" in message.text
    await bot.press("Skip this one", message)
    last = await bot.expect(checkin.step("note").question)
    await bot.press("Skip this one", last)
    await bot.expect("Thank you")
    reflection = (await _reflections(bot))[-1]
    stored = await _answers(bot, reflection.id or 0)
    assert stored[step.id].kind == "skipped" and stored[step.id].text is None


async def test_cancel_keeps_answers_and_journal_resumes(bot: Harness) -> None:
    """/cancel ends the reflection as incomplete with its answers; /journal resumes it at the
    step it stopped on."""
    await bot.onboard()
    await bot.say("/cancel")
    await bot.expect("no reflection in progress")
    await bot.say("/reflect secure-base")
    first = await bot.expect("Secure base")
    await bot.press("3", first)
    await bot.expect("2 of ")
    await bot.say("/cancel")
    await bot.expect("I've kept your 1 answer in /journal")
    [reflection] = await _reflections(bot)
    assert reflection.status == "incomplete"

    await bot.say("/journal")
    journal = await bot.expect("Your journal")
    title = bot.services.catalog.program("secure-base").title
    assert f"{title} · unfinished" in journal.text and journal.protect_content
    await bot.press("1", journal)
    entry = await bot.expect(title)
    assert entry.protect_content and "3 of 5" in entry.text
    await bot.press("Resume", entry)
    resumed = await bot.expect(f"Welcome back to {title}")
    assert "2 of " in resumed.text
    [reflection] = await _reflections(bot)
    assert reflection.status == "in_progress"


async def test_reflect_lists_programs_and_starts_the_one_pressed(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/reflect")
    menu = await bot.expect("What would you like to reflect on?")
    catalog = bot.services.catalog
    assert len(menu.button_texts) == len(PROGRAM_IDS)
    for program in catalog.programs.values():
        assert program.title in menu.text
    await bot.say("/reflect no-such-thing")
    await bot.expect("I don't have a reflection called “no-such-thing”")
    await bot.expect("What would you like to reflect on?")
    title = catalog.program("empathy-attunement").title
    answer = await bot.press_for_answer(next(t for t in menu.button_texts if title in t), menu)
    assert answer.text is None
    await bot.expect(f"{title}")


async def test_a_typed_rating_takes_the_questions_buttons_away(bot_on: Harness) -> None:
    """Typing "4" instead of pressing it: the question keeps no buttons that no longer apply."""
    bot = bot_on
    await bot.onboard()
    await bot.say("/checkin")
    first = await bot.expect("Post-session check-in")
    assert first.buttons
    await bot.say("4")
    await bot.expect("2 of 8")
    edited = await bot.expect_edit(first)
    assert not edited.buttons


async def test_buttons_are_taken_away_after_a_restart(
    migrated_url: str, tmp_path: Path, encryption_key: str
) -> None:
    """The question's message outlives the bot that sent it (the next instance, or this one
    restarted, reads it from the database), so a rating typed after a restart still takes
    the question's buttons away."""
    async with BotAPIEmulator(token="123456:TEST-token", bot_username="reflect_test_bot") as emu:
        async with running_bot(
            database_url=migrated_url, data_dir=tmp_path, key=encryption_key, emulator=emu
        ) as bot:
            await bot.onboard()
            await bot.say("/checkin")
            first = await bot.expect("Post-session check-in")
        async with running_bot(
            database_url=migrated_url, data_dir=tmp_path, key=encryption_key, emulator=emu
        ) as bot:
            await bot.say("4")
            await bot.expect("2 of 8")
            edited = await bot.expect_edit(first)
            assert not edited.buttons
            stored = await _answers(bot, (await _reflections(bot))[-1].id or 0)
            assert stored["bond"].rating == 4
