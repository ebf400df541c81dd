"""Sharing with a supervisor, consented and withdrawable: a one-time invite the supervisor
accepts; one reflection shared by its author's press, with protect_content; the supervisor's
comment reaches the author; withdrawing (or ending the link, or /forget on either side)
takes the copy back and leaves no shared row. A third account gets nothing at any step."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import (
    Reflection,
    SharedReflection,
    SupervisorComment,
    SupervisorLink,
)
from reflect_bot.emulator import MessageRecord
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness
from tests.e2e.test_export import download, next_document

SUPERVISOR = 3003  # never a clinician here: only opens the invite link
THIRD = 2002
PROGRAM = "two-relationships"
COMMENT = "QZX5150 what did you notice in yourself just before you named it?"


async def _invite(bot: Harness) -> str:
    """/supervisor as the clinician; the invite link's /start payload."""
    await bot.say("/supervisor")
    invite = await bot.expect("Send this link to your supervisor")
    found = re.search(r"start=(sv-[a-z0-9]+)", invite.text or "")
    assert found is not None, invite.text
    return found.group(1)


async def _linked(bot: Harness) -> str:
    """The clinician invites, the supervisor opens the link and accepts."""
    payload = await _invite(bot)
    await bot.say(f"/start {payload}", user=SUPERVISOR)
    preview = await bot.expect("invites you to be their supervisor", user=SUPERVISOR)
    assert "User1001" in (preview.text or "")
    await bot.press(texts.ACCEPT_INVITE_BUTTON, preview, user=SUPERVISOR)
    await bot.expect("You're now User1001's supervisor", user=SUPERVISOR)
    await bot.expect("accepted your invite")
    return payload


async def _reflect(bot: Harness, *, user: int = USER) -> MessageRecord:
    """A finished reflection; its thank-you message (with Share)."""
    await bot.say(f"/reflect {PROGRAM}", user=user)
    first = await bot.expect("1 of ", user=user)
    _, thanks = await bot.reflect_through(bot.services.catalog.program(PROGRAM), first, user=user)
    message: MessageRecord = thanks
    return message


async def _share(bot: Harness, thanks: MessageRecord) -> MessageRecord:
    await bot.press(texts.SHARE_BUTTON, thanks)
    await bot.expect("Shared with your supervisor")
    copy: MessageRecord = await bot.expect("Shared with you by User1001", user=SUPERVISOR)
    return copy


async def _count(bot: Harness, model: Any) -> int:
    async with transaction(bot.services.sessions) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _forge(bot: Harness, message: MessageRecord, data: str, user: int) -> Any:
    query = await bot.emulator.press_button(user, message.message_id, data, strict=False)
    return (await bot.emulator.wait_for_callback_answer(query)).text


def _nothing_of_theirs(bot: Harness, user: int) -> None:
    for message in bot.emulator.bot_messages(user):
        shown = message.text or ""
        assert "User1001" not in shown and COMMENT not in shown and "Thinking about" not in shown


async def test_a_supervisor_accepts_receives_one_reflection_comments_and_loses_it_on_withdraw(
    bot_on: Harness,
) -> None:
    bot = bot_on
    await bot.onboard()
    await bot.onboard(user=THIRD)
    payload = await _linked(bot)

    # The invite worked once: replayed from a third account it is refused, at /start and Accept.
    await bot.say(f"/start {payload}", user=THIRD)
    await bot.expect(texts.INVITE_INVALID, user=THIRD)
    code = payload.removeprefix("sv-")
    third_view = bot.emulator.last_bot_message(THIRD)
    assert await _forge(bot, third_view, f"sl:a:{code}", THIRD) == texts.INVITE_INVALID

    shared_one = await _reflect(bot)
    kept_back = await _reflect(bot)
    copy = await _share(bot, shared_one)
    assert copy.protect_content
    assert "Thinking about" in (copy.text or "")  # the clinician's words, as they wrote them
    shared_id, kept_id = [r for r in await _ids(bot, Reflection)]
    # Pressed again: shared once.
    again = await bot.press_for_answer(texts.SHARE_BUTTON, shared_one)
    assert again.text == texts.ALREADY_SHARED
    # Only what was pressed is shared: the other reflection never reaches the supervisor.
    assert (
        sum("Shared with you" in (m.text or "") for m in bot.emulator.bot_messages(SUPERVISOR)) == 1
    )
    assert await _count(bot, SharedReflection) == 1 and kept_back is not None

    # Forged presses from the third account: nothing shared, withdrawn or ended.
    (share,) = await _ids(bot, SharedReflection)
    (link,) = await _ids(bot, SupervisorLink)
    for data in (f"sl:s:{kept_id}", f"sl:s:{shared_id}", f"sl:w:{share}", f"sl:e:{link}"):
        assert await _forge(bot, third_view, data, THIRD) == texts.STALE_BUTTON, data
    assert await _count(bot, SharedReflection) == 1 and await _count(bot, SupervisorLink) == 1

    await bot.emulator.send_text(SUPERVISOR, COMMENT, reply_to=copy.message_id)
    await bot.expect(texts.COMMENT_PASSED_ON, user=SUPERVISOR)
    told = await bot.expect("Your supervisor commented")
    assert COMMENT in (told.text or "") and told.protect_content
    async with transaction(bot.services.sessions) as session:
        (stored,) = (await session.execute(select(SupervisorComment))).scalars()
        assert stored.text == COMMENT  # decrypted by the column type
    # The third account replying in its own chat comments on nothing.
    await bot.emulator.send_text(THIRD, COMMENT, reply_to=third_view.message_id)
    await bot.expect(user=THIRD)
    assert await _count(bot, SupervisorComment) == 1
    _nothing_of_theirs(bot, THIRD)

    # Kept with the reflection in /journal and the export, marked as the supervisor's words.
    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("2", page)  # the older one: the shared reflection
    entry = await bot.expect("Your supervisor's comment")
    assert COMMENT in (entry.text or "") and entry.protect_content
    await bot.say("/export")
    exported = await download(bot, (await next_document(bot)).document)
    assert f"> **Your supervisor's comment:**\n>\n> {COMMENT}" in exported

    await bot.say("/shared")
    listed = await bot.expect("Shared with your supervisor")
    assert "1 comment" in (listed.text or "")
    await bot.press("Withdraw 1", listed)
    await bot.expect("Withdrawn")
    assert _deleted(bot, copy)
    assert await _count(bot, SharedReflection) == 0 and await _count(bot, SupervisorComment) == 0
    await bot.say("/shared")
    await bot.expect(texts.SHARED_NONE)
    await bot.say("/export")
    exported = await download(bot, (await next_document(bot)).document)
    assert "supervisor's comment" not in exported and "QZX5150" not in exported
    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("2", page)
    entry = await bot.expect("Two relationships")
    assert COMMENT not in (entry.text or "")
    _nothing_of_theirs(bot, THIRD)


async def _ids(bot: Harness, model: Any) -> list[int]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(select(col(model.id)).order_by(col(model.id)))
        return list(rows.scalars())


@pytest.mark.parametrize(
    ("bot_hours", "telegram_hours"),
    [(72, 72), (46, 49)],  # the second: Telegram's clock runs ahead and refuses the delete
)
async def test_after_48_hours_a_withdrawn_copy_is_edited_to_say_so(
    bot: Harness, bot_hours: int, telegram_hours: int
) -> None:
    await bot.onboard()
    await _linked(bot)
    copy = await _share(bot, await _reflect(bot))
    bot.clock.advance(timedelta(hours=bot_hours))
    bot.emulator.advance_clock(telegram_hours * 3600)
    await bot.say("/shared")
    listed = await bot.expect("Shared with your supervisor")
    await bot.press("Withdraw 1", listed)
    await bot.expect("Withdrawn")
    edited = await bot.expect_edit(copy, user=SUPERVISOR)
    assert not edited.deleted and "The author withdrew this reflection." in (edited.text or "")
    refused = [e for e in bot.emulator.api_errors if "can't be deleted" in e.description]
    assert len(refused) == (1 if bot_hours < 47 else 0)  # past 47 h the bot does not try
    assert "Thinking about" not in (edited.text or "")


async def test_the_supervisor_ending_the_link_withdraws_everything_and_stops_sharing(
    bot: Harness,
) -> None:
    await bot.onboard()
    await _linked(bot)
    thanks = await _reflect(bot)
    copy = await _share(bot, thanks)
    (link,) = await _ids(bot, SupervisorLink)
    welcome = bot.emulator.bot_messages(SUPERVISOR)[0]
    await bot.emulator.press_button(SUPERVISOR, welcome.message_id, f"sl:e:{link}", strict=False)
    await bot.expect(texts.LINK_ENDED, user=SUPERVISOR)
    await bot.expect("A supervision link has ended")
    assert _deleted(bot, copy)
    assert await _count(bot, SupervisorLink) == 0 and await _count(bot, SharedReflection) == 0
    answer = await bot.press_for_answer(texts.SHARE_BUTTON, thanks)
    assert answer.text == texts.NO_SUPERVISOR


async def test_forget_on_either_side_leaves_no_shared_row_behind(
    bot: Harness, tmp_path: Path
) -> None:
    """The clinician's /forget withdraws what they shared; then a supervisor who is also a
    clinician and supervises two clinicians forgets, and both links end with their copies."""
    await bot.onboard()
    await _linked(bot)
    copy = await _share(bot, await _reflect(bot))
    await bot.emulator.send_text(SUPERVISOR, COMMENT, reply_to=copy.message_id)
    await bot.expect("Your supervisor commented")
    assert not _files_holding(tmp_path, COMMENT.encode())  # encrypted at rest

    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press(texts.FORGET_BUTTON, confirm)
    await bot.expect("Everything I held about you is erased")
    assert _deleted(bot, copy)
    await bot.expect(texts.LINK_ENDED_OTHER, user=SUPERVISOR)
    for model in (SupervisorLink, SharedReflection, SupervisorComment):
        assert await _count(bot, model) == 0, model

    # The supervisor is a clinician too, and supervises User1001 and THIRD.
    await bot.onboard(user=SUPERVISOR)
    await bot.onboard()
    await _linked(bot)
    mine = await _share(bot, await _reflect(bot))
    await bot.onboard(user=THIRD)
    await bot.say("/supervisor", user=THIRD)
    invite = await bot.expect("Send this link", user=THIRD)
    payload = re.search(r"start=(sv-[a-z0-9]+)", invite.text or "")
    assert payload is not None
    await bot.say(f"/start {payload.group(1)}", user=SUPERVISOR)
    preview = await bot.expect("User2002", user=SUPERVISOR)
    await bot.press(texts.ACCEPT_INVITE_BUTTON, preview, user=SUPERVISOR)
    await bot.expect("accepted your invite", user=THIRD)
    thanks = await _reflect(bot, user=THIRD)
    await bot.press(texts.SHARE_BUTTON, thanks, user=THIRD)
    # The share is recorded (with the copy's message ids) once the copy has gone out.
    await bot.expect("Shared with your supervisor", user=THIRD)
    theirs = await bot.expect("Shared with you by User2002", user=SUPERVISOR)
    assert await _count(bot, SupervisorLink) == 2 and await _count(bot, SharedReflection) == 2

    await bot.say("/forget", user=SUPERVISOR)
    confirm = await bot.expect("Erase everything I hold about you?", user=SUPERVISOR)
    await bot.press(texts.FORGET_BUTTON, confirm, user=SUPERVISOR)
    await bot.expect("Everything I held about you is erased", user=SUPERVISOR)
    assert _deleted(bot, mine) and _deleted(bot, theirs)
    await bot.expect(texts.LINK_ENDED_OTHER)
    await bot.expect(texts.LINK_ENDED_OTHER, user=THIRD)
    for model in (SupervisorLink, SharedReflection, SupervisorComment):
        assert await _count(bot, model) == 0, model


async def test_a_supervisor_who_is_not_a_clinician_can_forget_too(bot: Harness) -> None:
    await bot.onboard()
    await _linked(bot)
    copy = await _share(bot, await _reflect(bot))
    await bot.say("/forget", user=SUPERVISOR)
    await bot.expect(texts.SUPERVISOR_FORGOTTEN, user=SUPERVISOR)
    await bot.expect(texts.LINK_ENDED_OTHER)
    assert _deleted(bot, copy)
    for model in (SupervisorLink, SharedReflection, SupervisorComment):
        assert await _count(bot, model) == 0, model


def _deleted(bot: Harness, copy: MessageRecord) -> bool:
    gone = bot.emulator.messages(SUPERVISOR, include_deleted=True)
    return next(m for m in gone if m.message_id == copy.message_id).deleted


def _files_holding(folder: Path, needle: bytes) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]
