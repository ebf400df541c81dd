"""The supervision brief: reflections marked "take to supervision" (on completion or from
/journal) and only those make the brief, as messages and as a Markdown file; logging a
session clears the marks and starts the next brief. Another account's presses do nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Reflection, SupervisionMark, SupervisionSession
from reflect_bot.emulator import MessageRecord
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness
from tests.e2e.test_export import download, next_document
from tests.shipped import CHECKIN_PROGRAM_ID

OTHER_USER = 2002
TWO_RELATIONSHIPS = "two-relationships"


async def _reflect(
    bot: Harness, program_id: str, *, picks: dict[str, str] | None = None, user: int = USER
) -> tuple[dict[str, Any], MessageRecord]:
    await bot.say(f"/reflect {program_id}", user=user)
    first = await bot.expect("1 of ", user=user)
    program = bot.services.catalog.program(program_id)
    return await bot.reflect_through(program, first, picks=picks, user=user)


async def _reflection_ids(bot: Harness) -> list[int]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(select(col(Reflection.id)).order_by(col(Reflection.id)))
        return [row for row in rows.scalars() if row is not None]


async def _forge(bot: Harness, message: MessageRecord, data: str, user: int) -> Any:
    query = await bot.emulator.press_button(user, message.message_id, data, strict=False)
    return (await bot.emulator.wait_for_callback_answer(query)).text


async def test_a_brief_lists_exactly_the_marked_reflections_and_a_session_clears_them(
    bot_on: Harness,
) -> None:
    bot = bot_on
    await bot.onboard()
    _, first_done = await _reflect(bot, CHECKIN_PROGRAM_ID, picks={"rupture": "withdrawal"})
    answer = await bot.press_for_answer(texts.TAKE_TO_SUPERVISION_BUTTON, first_done)
    assert answer.text == texts.MARKED_FOR_SUPERVISION
    again = await bot.press_for_answer(texts.TAKE_TO_SUPERVISION_BUTTON, first_done)
    assert again.text == texts.ALREADY_MARKED
    await _reflect(bot, TWO_RELATIONSHIPS)  # not marked
    third_answers, _ = await _reflect(bot, TWO_RELATIONSHIPS)
    checkin_id, unmarked_id, third_id = await _reflection_ids(bot)

    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("1", page)  # the newest: the third reflection
    opened = await bot.expect("Two relationships")
    await bot.press_for_answer(texts.TAKE_TO_SUPERVISION_BUTTON, opened)

    await bot.say("/supervision")
    brief = await bot.expect("For supervision")
    assert "2 reflections" in brief.text and brief.protect_content
    assert brief.text.count("Post-session check-in") == 1
    assert brief.text.count("Two relationships") == 1
    assert "Rupture: Yes: the client pulled back" in brief.text
    assert "Bond 4/5" in brief.text
    sentences = [v for v in third_answers.values() if isinstance(v, str) and " " in v]
    assert sentences and all(s in brief.text for s in sentences)
    assert "What I want to ask" in brief.text
    document = await next_document(bot)
    markdown = await download(bot, document.document)
    assert markdown.count("\n## ") == 3  # two reflections and "What I want to ask"
    assert all(f"> {s}" in markdown for s in sentences)
    assert document.document.file_name == "supervision-brief-2026-11-02.md"

    async with transaction(bot.services.sessions) as session:
        marks = await session.execute(select(col(SupervisionMark.reflection_id)))
        assert sorted(marks.scalars()) == [checkin_id, third_id] != [unmarked_id]

    await bot.press(texts.BRIEF_LOG_BUTTON, brief)
    kinds = await bot.expect("What kind of session")
    await bot.press("Peer consultation", kinds)
    minutes = await bot.expect_edit(kinds)
    await bot.press("60 min", minutes)
    logged = await bot.expect_edit(kinds)
    assert "Peer consultation, 60 min" in (logged.text or "")
    assert "Cleared 2 reflections" in (logged.text or "")

    await bot.say("/supervision")
    await bot.expect("Nothing is marked for supervision since your last session on Mon 2 Nov")
    async with transaction(bot.services.sessions) as session:
        (held,) = (await session.execute(select(SupervisionSession))).scalars()
        assert (held.kind, held.minutes, str(held.held_on)) == ("peer", 60, "2026-11-02")
        assert list((await session.execute(select(SupervisionMark))).scalars()) == []


async def test_another_account_cannot_mark_see_or_log_anything(bot: Harness) -> None:
    await bot.onboard()
    _, done = await _reflect(bot, TWO_RELATIONSHIPS)
    (mine,) = await _reflection_ids(bot)
    await bot.onboard(user=OTHER_USER)
    await bot.say("/supervision", user=OTHER_USER)
    empty = await bot.expect("Nothing is marked", user=OTHER_USER)

    assert await _forge(bot, empty, f"sv:m:{mine}", OTHER_USER) == texts.STALE_BUTTON
    for forged in ("sv:l:s:61", "sv:l:x:60", "sv:m:-1", "sv:k:z"):
        assert await _forge(bot, empty, forged, OTHER_USER) == texts.STALE_BUTTON, forged
    async with transaction(bot.services.sessions) as session:
        assert list((await session.execute(select(SupervisionMark))).scalars()) == []
        assert list((await session.execute(select(SupervisionSession))).scalars()) == []

    await bot.press_for_answer(texts.TAKE_TO_SUPERVISION_BUTTON, done)
    await bot.say("/supervision", user=OTHER_USER)
    await bot.expect("Nothing is marked", user=OTHER_USER)
    assert all(
        "Two relationships" not in (m.text or "") for m in bot.emulator.bot_messages(OTHER_USER)
    )
