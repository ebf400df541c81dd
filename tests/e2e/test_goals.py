"""Goals that come back: an action step's answer becomes a learning goal, its follow-up arrives
on the chosen local date (once), is answered, and the goal is kept, changed or closed. Buttons
from another account change nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import GoalCheckIn, LearningGoal
from reflect_bot.emulator import MessageRecord
from reflect_bot.ui import texts
from tests.e2e.harness import DEFAULT_START, USER, Harness
from tests.e2e.privacy_support import rows_of
from tests.e2e.test_export import body_of, download, next_document
from tests.shipped import CHECKIN_PROGRAM_ID

OTHER_USER = 2002
DECIDED = "Thinking about client next time."  # what the harness types for client_next_time
WHAT_HAPPENED = "QZX4471 asked it at the close; the silence afterwards was hard"


async def _checkin_with_a_goal(bot: Harness, *, user: int = USER) -> MessageRecord:
    """/checkin, answering "no, I didn't ask" so the action step comes; the goal offer."""
    await bot.say("/checkin", user=user)
    first = await bot.expect("1 of ", user=user)
    program = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.reflect_through(program, first, picks={"client_asked": "no"}, user=user)
    offer: MessageRecord = await bot.expect("You decided", user=user)
    return offer


async def _goals(bot: Harness) -> list[LearningGoal]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(select(LearningGoal).order_by(col(LearningGoal.id)))
        return list(rows.scalars())


async def _check_ins(bot: Harness) -> list[GoalCheckIn]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(select(GoalCheckIn).order_by(col(GoalCheckIn.id)))
        return list(rows.scalars())


async def test_a_goal_comes_back_on_the_chosen_day_once_and_is_answered_and_kept(
    bot_on: Harness,
) -> None:
    bot = bot_on
    await bot.onboard()
    offer = await _checkin_with_a_goal(bot)
    assert DECIDED in (offer.text or "") and offer.protect_content

    await bot.press("In 1 week", offer)
    assert "Mon 9 Nov" in (await bot.expect("I'll ask you how it went")).text
    await bot.say("/goals")
    listed = await bot.expect("Your open goals")
    assert DECIDED in listed.text and "next follow-up Mon 9 Nov" in listed.text
    bot.clock.set(DEFAULT_START + timedelta(days=3))  # Thursday: it comes back within a week
    await bot.say("/digest")
    digest = await bot.expect("Your goals")
    assert f"Coming back 9 November: {DECIDED}" in (digest.text or "")

    # Chosen at 09:00 London time on Monday 2 Nov: back at 09:00 on Monday 9 Nov, not before.
    bot.clock.set(DEFAULT_START + timedelta(days=7, minutes=-1))
    assert (await bot.tick()).sent == 0
    bot.clock.set(DEFAULT_START + timedelta(days=7))
    assert (await bot.tick()).sent == 1
    follow_up = await bot.expect("A goal comes back")
    assert DECIDED in follow_up.text and "Mon 2 Nov" in follow_up.text
    assert follow_up.protect_content
    bot.clock.set(DEFAULT_START + timedelta(days=7, minutes=5))
    assert (await bot.tick()).sent == 0  # once

    await bot.press("I tried it", follow_up)
    await bot.expect("What happened, and what now?")
    await bot.say("I asked at the end; she said it helped. I'll keep doing it.")
    decide = await bot.expect("Saved with your goal")
    await bot.press("Keep it", decide)
    again = await bot.expect("When shall I ask again?")
    assert DECIDED in again.text
    await bot.press("In 2 weeks", again)
    await bot.expect("Mon 23 Nov")

    (check_in,) = await _check_ins(bot)
    assert check_in.tried and check_in.outcome == "kept"
    assert check_in.text == "I asked at the end; she said it helped. I'll keep doing it."
    (goal,) = await _goals(bot)
    assert goal.status == "open" and str(goal.follow_up_on) == "2026-11-23"


async def test_a_goal_can_be_reworded_or_closed_and_then_no_longer_comes_back(
    bot: Harness,
) -> None:
    await bot.onboard()
    offer = await _checkin_with_a_goal(bot)
    await bot.press("In 1 week", offer)
    await bot.expect("I'll ask you how it went")
    bot.clock.set(DEFAULT_START + timedelta(days=7))
    await bot.tick()
    follow_up = await bot.expect("A goal comes back")

    await bot.press("Not yet", follow_up)
    await bot.expect("What got in the way")
    await bot.say("No time at the end of sessions.")
    decide = await bot.expect("Saved with your goal")
    await bot.press("Change it", decide)
    await bot.expect("How would you put it now?")
    await bot.say("Leave five minutes at the end to ask.")
    again = await bot.expect("When shall I ask again?")
    assert "Leave five minutes" in again.text
    await bot.press("In 1 week", again)
    await bot.expect("Mon 16 Nov")

    bot.clock.set(DEFAULT_START + timedelta(days=14))
    assert (await bot.tick()).sent == 1
    second = await bot.expect("A goal comes back")
    assert "Leave five minutes" in second.text
    await bot.press("I tried it", second)
    await bot.expect("What happened")
    await bot.say("Done twice.")
    decide = await bot.expect("Saved with your goal")
    await bot.press("Close it", decide)
    await bot.expect("Closed")

    await bot.say("/goals")
    await bot.expect("You have no open goals")
    await bot.say("/digest")
    digest = await bot.expect("Your goals")
    assert "Closed this week: Leave five minutes at the end to ask." in (digest.text or "")

    await bot.say("/export")
    _, body = body_of(await download(bot, (await next_document(bot)).document))
    goals = body[body.index("## Learning goals") : body.index("## Totals")]
    assert goals.index("Leave five minutes") < goals.index("Follow-up 2026-11-09: not yet")
    assert goals.index("No time at the end") < goals.index("Follow-up 2026-11-16: tried it")
    assert "closed 2026-11-16" in goals and goals.index("Done twice.") > goals.index("2026-11-16")

    bot.clock.set(DEFAULT_START + timedelta(days=21))
    assert (await bot.tick()).sent == 0
    (goal,) = await _goals(bot)
    assert goal.status == "closed" and goal.text == "Leave five minutes at the end to ask."
    assert [c.outcome for c in await _check_ins(bot)] == ["changed", "closed"]


def _files_holding(folder: Path, needle: bytes) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def _forge(bot: Harness, message: MessageRecord, data: str, user: int) -> Any:
    query = await bot.emulator.press_button(user, message.message_id, data, strict=False)
    return (await bot.emulator.wait_for_callback_answer(query)).text


async def test_another_account_pressing_forged_goal_buttons_changes_and_sees_nothing(
    bot: Harness,
) -> None:
    await bot.onboard()
    offer = await _checkin_with_a_goal(bot)
    (goal,) = await _goals(bot)

    await bot.onboard(user=OTHER_USER)
    await bot.say("/goals", user=OTHER_USER)
    theirs = await bot.expect("You have no open goals", user=OTHER_USER)
    for data in (f"gl:f:{goal.id}:1", f"gl:t:{goal.id}", f"gl:n:{goal.id}", "gl:k:1", "gl:x:1"):
        assert await _forge(bot, theirs, data, OTHER_USER) == texts.STALE_BUTTON, data
    assert (await _goals(bot))[0].follow_up_on is None and await _check_ins(bot) == []

    # The owner, too, cannot answer a follow-up before it is due.
    await bot.press("In 1 week", offer)
    await bot.expect("I'll ask you how it went")
    assert await _forge(bot, offer, f"gl:t:{goal.id}", USER) == texts.STALE_BUTTON
    bot.clock.set(DEFAULT_START + timedelta(days=7))
    assert (await bot.tick()).sent == 1
    follow_up = await bot.expect("A goal comes back")
    assert all(DECIDED not in (m.text or "") for m in bot.emulator.bot_messages(OTHER_USER))

    await bot.press("I tried it", follow_up)
    await bot.expect("What happened")
    await bot.say("It worked.")
    await bot.expect("Saved with your goal")
    (check_in,) = await _check_ins(bot)
    for data in (f"gl:k:{check_in.id}", f"gl:c:{check_in.id}", f"gl:x:{check_in.id}"):
        assert await _forge(bot, theirs, data, OTHER_USER) == texts.STALE_BUTTON, data
    assert (await _check_ins(bot))[0].outcome is None


async def test_goals_and_their_check_ins_are_encrypted_and_erased_by_forget(
    bot: Harness, tmp_path: Path
) -> None:
    """The goal and what happened are the clinician's words: never in the database file in
    plaintext, and /forget leaves no row of theirs (goal, check-in, follow-up) behind."""
    await bot.onboard(user=OTHER_USER)
    theirs = await _checkin_with_a_goal(bot, user=OTHER_USER)
    await bot.press("In 1 week", theirs, user=OTHER_USER)
    await bot.expect("I'll ask you how it went", user=OTHER_USER)
    await bot.onboard()
    offer = await _checkin_with_a_goal(bot)
    await bot.press("In 1 week", offer)
    await bot.expect("I'll ask you how it went")
    bot.clock.set(DEFAULT_START + timedelta(days=7))
    assert (await bot.tick()).sent == 2
    follow_up = await bot.expect("A goal comes back")
    await bot.press("I tried it", follow_up)
    await bot.expect("What happened")
    await bot.say(WHAT_HAPPENED)
    await bot.expect("Saved with your goal")

    mine = await rows_of(bot.services.sessions, USER)
    assert {"learning_goal", "goal_check_in", "delivery", "schedule"} <= set(mine)
    for needle in (WHAT_HAPPENED, DECIDED):
        assert _files_holding(tmp_path, needle.encode()) == [], needle

    others = await rows_of(bot.services.sessions, OTHER_USER)
    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press(texts.FORGET_BUTTON, confirm)
    await bot.expect("Everything I held about you is erased")
    assert await rows_of(bot.services.sessions, USER) == {}
    assert await rows_of(bot.services.sessions, OTHER_USER) == others


async def test_a_reflection_started_after_the_follow_up_question_gets_the_typed_answers(
    bot: Harness,
) -> None:
    """ "I tried it", then /reflect before answering: typed text answers the reflection."""
    await bot.onboard()
    offer = await _checkin_with_a_goal(bot)
    await bot.press("In 1 week", offer)
    await bot.expect("I'll ask you how it went")
    bot.clock.set(DEFAULT_START + timedelta(days=7))
    await bot.tick()
    follow_up = await bot.expect("A goal comes back")
    await bot.press("I tried it", follow_up)
    await bot.expect("What happened")

    bot.clock.advance(timedelta(minutes=1))
    await bot.say("/reflect two-relationships")
    first = await bot.expect("1 of ")
    program = bot.services.catalog.program("two-relationships")
    await bot.reflect_through(program, first)
    assert await _check_ins(bot) and (await _check_ins(bot))[0].text is None


async def test_a_follow_up_missed_during_a_pause_can_be_brought_back_from_goals(
    bot: Harness,
) -> None:
    await bot.onboard()
    offer = await _checkin_with_a_goal(bot)
    await bot.press("In 1 week", offer)
    await bot.expect("I'll ask you how it went")
    await bot.say("/pause 10")
    await bot.expect("Prompts are paused")
    bot.clock.set(DEFAULT_START + timedelta(days=7))
    assert (await bot.tick()).sent == 0  # skipped: prompts (and follow-ups) are paused

    bot.clock.set(DEFAULT_START + timedelta(days=8))
    await bot.say("/goals")
    listed = await bot.expect("Your open goals")
    assert "its follow-up on Mon 9 Nov went unanswered" in (listed.text or "")
    await bot.press("Bring 1 back in a week", listed)
    await bot.expect("I'll ask you how it went on Tue 17 Nov")
    await bot.say("/resume")
    await bot.expect()
    bot.clock.set(DEFAULT_START + timedelta(days=15))
    assert (await bot.tick()).sent == 1
    assert DECIDED in ((await bot.expect("A goal comes back")).text or "")
