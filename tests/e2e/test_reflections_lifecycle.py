"""A reflection's life outside the happy path: one already open, set aside after a day,
resumable for a week, and an answer that cannot be stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col

from reflect_bot.db.engine import create_sessionmaker, transaction
from reflect_bot.db.models import Answer, Reflection
from reflect_bot.db.repositories import reflections as store
from reflect_bot.domain.journaling import STALE_AFTER
from reflect_bot.ui import texts
from tests.e2e.harness import Harness


async def _reflections(bot: Harness) -> list[Reflection]:
    async with transaction(bot.services.sessions) as session:
        return list(
            (await session.execute(select(Reflection).order_by(col(Reflection.id)))).scalars()
        )


async def _answer_count(bot: Harness) -> int:
    async with transaction(bot.services.sessions) as session:
        return len(list((await session.execute(select(Answer))).scalars()))


@contextmanager
def answers_refused(bot: Harness) -> Iterator[None]:
    """The database refuses to store answers (as a full disk or a lost connection would)."""

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # On PostgreSQL the insert follows the step's move in one statement (WITH … INSERT).
        if re.search(r"\bINSERT INTO answer\b", statement, re.IGNORECASE):
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    engine = bot.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


async def test_answer_not_stored_is_not_acknowledged(bot_on: Harness) -> None:
    """When storing fails the clinician is told so and asked to resend; nothing moves on;
    the resent answer is stored and the reflection continues."""
    bot = bot_on
    await bot.onboard()
    await bot.say("/reflect two-relationships")
    await bot.expect("1 of ")
    with answers_refused(bot):
        await bot.say("My first answer")
        refusal = await bot.expect()
        assert "not</b> been stored" in refusal.html and "send it again" in refusal.text
        await bot.emulator.assert_no_bot_message(1001, within=0.2)
    assert await _answer_count(bot) == 0
    [reflection] = await _reflections(bot)
    first_step = bot.services.catalog.program("two-relationships").steps[0].id
    assert reflection.current_step == first_step

    await bot.say("My first answer")
    await bot.expect("2 of ")
    assert await _answer_count(bot) == 1


async def test_button_answer_not_stored_is_not_acknowledged(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/checkin")
    first = await bot.expect("1 of ")
    with answers_refused(bot):
        await bot.press("5", first)
        refusal = await bot.expect("not</b> been stored".replace("</b>", ""))
        assert "send it again" in refusal.text
    assert first.buttons, "the question keeps its buttons so it can be answered again"
    await bot.press("5", first)
    await bot.expect("2 of ")


async def test_database_unavailable_tells_the_clinician(bot: Harness) -> None:
    """With the database gone altogether, typed text gets the not-saved notice too."""
    await bot.onboard()
    await bot.say("/checkin")
    question = await bot.expect("1 of ")
    working = bot.services.sessions
    broken = create_async_engine(f"sqlite+aiosqlite:///{bot.settings.data_dir}/missing/x.db")
    bot.services.sessions = create_sessionmaker(broken)
    try:
        await bot.say("4")
        await bot.expect("not been stored")
        await bot.press("4", question)
        await bot.expect("not been stored")
    finally:
        bot.services.sessions = working
        await broken.dispose()
    await bot.say("4")
    await bot.expect("2 of ")


async def test_new_program_while_one_is_open_asks_resume_or_discard(bot: Harness) -> None:
    """/checkin during another reflection offers carry on / discard; carrying on re-asks its
    current step; discarding deletes its answers and starts the new one."""
    await bot.onboard()
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("1 of ")
    await bot.press("2", first)
    await bot.expect("2 of ")

    await bot.say("/checkin")
    choice = await bot.expect("You're partway through")
    assert "1 answered" in choice.text
    await bot.press(choice.button_texts[0], choice)
    again = await bot.expect("Welcome back")
    assert "2 of " in again.text

    await bot.say("/checkin")
    choice = await bot.expect("You're partway through")
    await bot.press(choice.button_texts[1], choice)
    started = await bot.expect("Post-session check-in")
    assert "Discarded" in started.text and "1 of 8" in started.text
    old, new = await _reflections(bot)
    assert (old.status, new.status) == ("discarded", "in_progress")
    assert await _answer_count(bot) == 0

    answer = await bot.press_for_answer(choice.button_texts[1], choice)  # again: nothing
    assert answer.text == "That reflection has ended; you'll find it in /journal."
    assert len(await _reflections(bot)) == 2


async def test_untouched_for_a_day_is_set_aside_and_resumable_for_a_week(bot: Harness) -> None:
    """After 24 h the next message finds the reflection set aside (not taken as an answer);
    Resume continues it; after 7 days it can no longer be resumed but stays in the journal."""
    await bot.onboard()
    await bot.say("/reflect rogers-conditions")
    first = await bot.expect("1 of ")
    await bot.press("4", first)
    await bot.expect("2 of ")

    bot.clock.advance(timedelta(hours=24))
    await bot.say("A late answer")
    notice = await bot.expect("waited more than a day")
    assert "haven't saved this message" in notice.text
    assert await _answer_count(bot) == 1
    [reflection] = await _reflections(bot)
    assert reflection.status == "incomplete"
    await bot.press("Resume", notice)
    resumed = await bot.expect("Welcome back")
    assert "2 of " in resumed.text
    await bot.say("A late answer")
    await bot.expect("3 of ")

    # The scheduler's tick closes it too, without the clinician writing.
    bot.clock.advance(timedelta(hours=25))
    async with transaction(bot.services.sessions) as session:
        now = bot.clock.now()
        closed = await store.close_stale_reflections(
            session, stale_before=now - STALE_AFTER, now=now
        )
    assert closed == 1

    bot.clock.advance(timedelta(days=7))
    await bot.say("/journal")
    journal = await bot.expect("Your journal")
    await bot.press("1", journal)
    entry = await bot.expect("unfinished")
    assert texts.RESUME_BUTTON not in entry.button_texts, "no Resume after 7 days"
    await bot.press("Resume", notice)  # the old notice's button
    await bot.expect("can no longer be resumed")


async def test_a_day_old_button_offers_to_resume(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/checkin")
    first = await bot.expect("1 of ")
    bot.clock.advance(timedelta(hours=25))
    answer = await bot.press_for_answer("4", first)
    assert answer.text is None  # a plain acknowledgement; the message explains
    notice = await bot.expect("waited more than a day")
    assert notice.button_texts == ["Resume"]
    assert await _answer_count(bot) == 0
