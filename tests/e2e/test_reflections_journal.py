"""/journal: pages of past reflections, one opened in full, and edits of sent answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, AnswerRevision, Clinician
from reflect_bot.db.repositories import reflections as store
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer, ReflectionStatus
from tests.e2e.harness import USER, Harness


async def _clinician_id(bot: Harness, user: int = USER) -> int:
    async with transaction(bot.services.sessions) as session:
        row = await session.execute(
            select(Clinician).where(col(Clinician.telegram_user_id) == user)
        )
        clinician_id = row.scalar_one().id
    assert clinician_id is not None
    return clinician_id


async def _write_past_reflections(bot: Harness, count: int) -> list[int]:
    """`count` finished reflections, a day apart, each with one written answer."""
    clinician_id = await _clinician_id(bot)
    program = bot.services.catalog.program("secure-base")
    step = program.steps[1]
    ids = []
    async with transaction(bot.services.sessions) as session:
        for day in range(count):
            when = bot.clock.now() - timedelta(days=count - day)
            reflection = await store.start(
                session,
                clinician_id=clinician_id,
                program_id=program.id,
                program_title=program.title,
                first_step_id=step.id,
                now=when,
            )
            await store.save_answer(
                session,
                reflection=reflection,
                step_id=step.id,
                position=2,
                question=step.question,
                answer=ReadAnswer(step.id, AnswerKind.TEXT, text=f"Entry number {day + 1}\nmore"),
                choice_label=None,
                next_step_id=None,
                now=when + timedelta(minutes=3),
            )
            assert reflection.id is not None
            ids.append(reflection.id)
    return ids


async def test_empty_journal(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/journal")
    await bot.expect("Your journal is empty so far")


async def test_journal_pages_and_opens_an_entry(bot_on: Harness) -> None:
    """Newest first, five to a page, Older/Newer turn the page in place; opening one shows
    its questions and answers, protected from forwarding."""
    bot = bot_on
    await bot.onboard()
    await _write_past_reflections(bot, 7)
    await bot.say("/journal")
    page = await bot.expect("Your journal · 1–5 of 7")
    assert page.protect_content
    assert page.text.index("Entry number 7") < page.text.index("Entry number 3")
    assert "Entry number 2" not in page.text and "more" not in page.text
    assert page.button_texts == ["1", "2", "3", "4", "5", "Older ›"]

    await bot.press("Older ›", page)
    older = await bot.emulator.wait_for_edit(USER, page.message_id)
    assert older.text is not None
    assert "6–7 of 7" in older.text and "Entry number 1" in older.text
    assert older.button_texts == ["6", "7", "‹ Newer"]
    await bot.press("7", older)
    entry = await bot.expect("Secure base")
    step = bot.services.catalog.program("secure-base").steps[1]
    assert step.question in entry.text and "Entry number 1\nmore" in entry.text
    assert "3 minutes" in entry.text and entry.protect_content
    # Finished: nothing to carry on, but it can be taken to supervision.
    assert entry.button_texts == ["🗂 Take to supervision", "👥 Share with my supervisor"]

    await bot.press("‹ Newer", older)
    newer = await bot.emulator.wait_for_edit(USER, page.message_id)
    assert "1–5 of 7" in (newer.text or "")


async def test_someone_elses_entry_cannot_be_opened(bot: Harness) -> None:
    await bot.onboard()
    [theirs] = await _write_past_reflections(bot, 1)
    other = 2002
    await bot.onboard(user=other)
    mine = bot.emulator.last_bot_message(other)
    query = await bot.emulator.press_button(
        other, mine.message_id, f"jr:o:{theirs}", from_user=other, strict=False
    )
    answer = await bot.emulator.wait_for_callback_answer(query)
    assert answer.text is not None and "left things as they are" in answer.text
    await bot.emulator.assert_no_bot_message(other, within=0.2)


async def test_editing_an_answer_updates_it_and_keeps_the_previous_version(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/checkin")
    await bot.expect("1 of ")
    typed_rating = await bot.say("4")
    await bot.expect("2 of ")
    await bot.emulator.edit_text(USER, typed_rating["message_id"], "2")
    await bot.expect("updated that answer")

    await bot.say("/cancel")
    await bot.expect("Stopped")
    await bot.say("/reflect two-relationships")
    await bot.expect("1 of ")
    written = await bot.say("First draft <of> my answer")
    await bot.expect("2 of ")
    await bot.emulator.edit_text(USER, written["message_id"], "Second draft & better")
    await bot.expect("updated that answer")
    await bot.emulator.edit_text(USER, written["message_id"], "Second draft & better")
    await bot.emulator.assert_no_bot_message(USER, within=0.2)  # nothing changed: nothing said

    async with transaction(bot.services.sessions) as session:
        answers = {a.step_id: a for a in (await session.execute(select(Answer))).scalars()}
        revisions = list((await session.execute(select(AnswerRevision))).scalars())
    assert answers["bond"].rating == 2
    first_step = bot.services.catalog.program("two-relationships").steps[0].id
    assert answers[first_step].text == "Second draft & better"
    assert answers[first_step].edited_at == bot.clock.now()
    assert sorted(r.text or "" for r in revisions) == ["4 of 5", "First draft <of> my answer"]

    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("1", page)
    entry = await bot.expect("Two relationships")
    assert "Second draft & better (edited)" in entry.text and "Carry on" in entry.button_texts


async def test_edits_that_are_not_answers_are_ignored_or_explained(bot: Harness) -> None:
    await bot.onboard()
    chatter = await bot.say("just saying hello")
    await bot.expect("I'm here whenever you're ready")
    await bot.emulator.edit_text(USER, chatter["message_id"], "hello again")
    await bot.emulator.assert_no_bot_message(USER, within=0.2)

    await bot.say("/checkin")
    await bot.expect("1 of ")
    rating = await bot.say("5")
    await bot.expect("2 of ")
    await bot.emulator.edit_text(USER, rating["message_id"], "quite a lot")
    await bot.expect("couldn't read that edit")
    async with transaction(bot.services.sessions) as session:
        answer = (await session.execute(select(Answer))).scalar_one()
    assert answer.rating == 5


async def test_discarded_reflections_are_not_in_the_journal(bot: Harness) -> None:
    await bot.onboard()
    [discarded, kept] = await _write_past_reflections(bot, 2)
    async with transaction(bot.services.sessions) as session:
        reflection = await store.get_owned(
            session, reflection_id=discarded, clinician_id=await _clinician_id(bot)
        )
        assert reflection is not None
        await store.discard(session, reflection=reflection, now=bot.clock.now())
        assert reflection.status == ReflectionStatus.DISCARDED
    await bot.say("/journal")
    page = await bot.expect("1–1 of 1")
    assert "Entry number 2" in page.text
    assert kept
