"""What a clinician types is stored only encrypted, logged nowhere, shown only to them, and
erased for good by /forget; buttons naming someone else's things do nothing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel, col
from telegram import Update
from telegram.ext import CommandHandler

from reflect_bot.bot.context import ReflectContext
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Clinician, Delivery, Reflection, Schedule
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness
from tests.e2e.privacy_support import rows_of
from tests.integration.privacy_world import count_rows

MARKER = "QZX8812 tender grief marker"
OTHER = 2002
PROGRAM = "affect-labeling"


async def _answer_feeling(bot: Harness, typed: str, *, user: int = USER) -> Any:
    """/reflect affect-labeling: a rating by button, then `typed` as the feeling."""
    await bot.say(f"/reflect {PROGRAM}", user=user)
    first = await bot.expect("how strong is the feeling", user=user)
    await bot.press("4", first, user=user)
    await bot.expect("what is the feeling?", user=user)
    await bot.say(typed, user=user)
    return await bot.expect("Which family", user=user)


async def _reflection_of(bot: Harness, user: int) -> Reflection:
    async with transaction(bot.services.sessions) as session:
        result = await session.execute(
            select(Reflection)
            .join(Clinician, col(Reflection.clinician_id) == Clinician.id)
            .where(col(Clinician.telegram_user_id) == user)
        )
        return result.scalars().one()


async def _boom(update: Update, context: ReflectContext) -> None:
    raise RuntimeError(f"a handler failed while holding {MARKER}")


async def _rows(bot: Harness, user: int) -> dict[str, set[Any]]:
    return await rows_of(bot.services.sessions, user)


def _file_names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _files_holding(folder: Path, needle: bytes) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def test_an_answer_is_nowhere_in_plaintext(
    bot: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The marker typed as an answer: not in the SQLite file or its WAL, not in any log
    record at DEBUG, not in the report of a handler that failed while holding it."""
    caplog.set_level(logging.DEBUG)
    bot.app.add_handler(CommandHandler("boom", _boom), group=1)
    await bot.onboard()
    await _answer_feeling(bot, MARKER)
    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("1", page)
    entry = await bot.expect(MARKER)
    assert entry.protect_content, "the journal echoes the answer: no forwarding"
    await bot.say("/digest")
    digest = await bot.expect("Your week so far")
    assert digest.protect_content, "the digest quotes the clinician's words"
    asked = [m for m in bot.emulator.bot_messages(USER) if "✓" in (m.text or "")]
    assert asked and all(m.protect_content for m in asked), "answered questions show answers"
    await bot.say(f"/boom {MARKER}")
    await bot.expect("something went wrong")

    question = bot.services.catalog.program(PROGRAM).step("feeling").question
    async with transaction(bot.services.sessions) as session:
        query = select(Answer).where(col(Answer.step_id) == "feeling")
        stored = (await session.execute(query)).scalar_one()
    assert (stored.text, stored.question) == (MARKER, question)  # decrypted by the model

    assert {"reflect.sqlite3", "reflect.sqlite3-wal"} <= _file_names(tmp_path)
    for needle in (MARKER, question):
        assert _files_holding(tmp_path, needle.encode("utf-8")) == [], needle

    records = [r for r in caplog.records if not r.name.startswith("reflect_bot.emulator")]
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
    failure = [r for r in records if "handling update" in r.getMessage()]
    assert failure and "RuntimeError" in failure[0].getMessage()
    for record in records:
        shown = record.getMessage() + (record.exc_text or "") + repr(record.args)
        assert MARKER not in shown, f"{record.name} logged the answer"
    assert MARKER not in caplog.text
    told = [m.text or "" for m in bot.emulator.bot_messages(USER) if "went wrong" in (m.text or "")]
    assert told and all(MARKER not in text for text in told)


async def test_forget_erases_one_clinician_and_nothing_else(bot_on: Harness) -> None:
    bot = bot_on
    for user in (USER, OTHER):
        await bot.onboard(user=user)
        offer = bot.emulator.last_bot_message(user)  # onboard() waited for the offer
        await bot.press(texts.STARTER_ACCEPT, offer, user=user)
        await bot.expect("Your plan is set", user=user)
        await _answer_feeling(bot, f"answer of {user}", user=user)
        await bot.say(f"/cpd add reading 30 chapter read by {user}", user=user)
        await bot.expect("Logged", user=user)
    before = await count_rows(bot.services.sessions)
    mine = await _rows(bot, USER)
    theirs = await _rows(bot, OTHER)
    assert {"clinician", "schedule", "delivery", "reflection", "answer", "cpd_activity"} <= set(
        mine
    )

    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    assert "/export" in confirm.text and "1 reflection(s) with 2 answers" in confirm.text
    await bot.press(texts.KEEP_BUTTON, confirm)
    await bot.expect("nothing has been erased")
    assert await _rows(bot, USER) == mine

    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press(texts.FORGET_BUTTON, confirm)
    await bot.expect("Everything I held about you is erased")

    after = await count_rows(bot.services.sessions)
    assert await _rows(bot, USER) == {}
    assert await _rows(bot, OTHER) == theirs
    for table in (t.name for t in SQLModel.metadata.sorted_tables):
        if table == "processed_update":
            continue  # update ids belong to no one (and /forget's own updates add some)
        assert after[table] == before[table] - len(mine.get(table, ())), table

    # Forgotten means a stranger again: /start shows the privacy notice afresh.
    await bot.say("/journal")
    await bot.expect("/start first")


async def test_buttons_naming_another_clinicians_things_do_nothing(bot: Harness) -> None:
    """A button press whose callback data names someone else's reflection, answer or
    account changes nothing and reveals nothing."""
    await bot.onboard(user=OTHER)
    await bot.say(f"/reflect {PROGRAM}", user=OTHER)
    await bot.expect("how strong is the feeling", user=OTHER)  # theirs stays open
    await bot.onboard()
    offer = bot.emulator.last_bot_message(USER)
    await bot.press(texts.STARTER_ACCEPT, offer)
    await bot.expect("Your plan is set")
    await _answer_feeling(bot, MARKER)
    mine = await _reflection_of(bot, USER)
    theirs = await _reflection_of(bot, OTHER)
    before = {user: await _rows(bot, user) for user in (USER, OTHER)}
    async with transaction(bot.services.sessions) as session:
        answers = select(col(Answer.id)).where(col(Answer.step_id) == "feeling")
        my_answer = (await session.execute(answers)).scalar_one()
        clinicians = select(col(Clinician.id)).where(col(Clinician.telegram_user_id) == USER)
        my_clinician = (await session.execute(clinicians)).scalar_one()
        my_schedule = (await session.execute(select(col(Schedule.id)).limit(1))).scalar_one()
        my_delivery = (await session.execute(select(col(Delivery.id)).limit(1))).scalar_one()

    await bot.say("/help", user=OTHER)
    own = await bot.expect("What I can do", user=OTHER)
    forged = [
        f"rf:a:{mine.id}:family:sadness",  # answer my open question
        f"rf:s:{mine.id}:body",  # skip my step
        f"rf:r:{mine.id}",  # resume mine
        f"rf:d:{mine.id}:{PROGRAM}",  # discard mine and start theirs
        f"jr:o:{mine.id}",  # open my journal entry
        f"pv:r:{my_answer}",  # replace my answer
        f"pv:f:{my_clinician}",  # erase me
        f"sch:rm:{my_schedule}",  # remove my schedule
        f"sch:sd:{my_schedule}:127",  # change its days
        f"pr:go:{my_delivery}",  # start my prompt
        f"pr:sk:{my_delivery}",  # skip it
        f"rf:a:{theirs.id}:nope:1",  # their own reflection, a step it never had
    ]
    for data in forged:
        query = await bot.emulator.press_button(OTHER, own.message_id, data, strict=False)
        answer = await bot.emulator.wait_for_callback_answer(query)
        assert MARKER not in (answer.text or ""), data
    await bot.emulator.assert_no_bot_message(OTHER, within=0.3)
    assert all(MARKER not in (m.text or "") for m in bot.emulator.bot_messages(OTHER))
    assert {user: await _rows(bot, user) for user in (USER, OTHER)} == before
    still = await _reflection_of(bot, USER)
    assert (still.status, still.current_step) == (mine.status, mine.current_step)
