"""A clinician sets when prompts come, receives them at their local time, and acts on them."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Schedule
from reflect_bot.domain.scheduling import due_moment
from reflect_bot.domain.timezones import resolve
from tests.e2e.harness import USER, Harness

MONDAY = date(2026, 11, 2)  # the harness starts at 09:00 UTC on this Monday
CHECKIN = "post-session-checkin"


def _at(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    return due_moment(day, time(hour, minute), resolve(zone))


def _offer(bot: Harness, user: int = USER) -> Any:
    """The starter plan offer, sent right after "You're all set"."""
    return next(
        m for m in reversed(bot.emulator.bot_messages(user)) if "starter plan" in (m.text or "")
    )


async def _decline_starter_plan(bot: Harness) -> None:
    offer = _offer(bot)
    await bot.press("Not now", offer)
    await bot.expect("No scheduled prompts")


async def test_a_schedule_set_with_buttons_brings_the_prompt_on_time_and_start_now_begins(
    bot_on: Harness,
) -> None:
    bot = bot_on
    await bot.onboard(zone="Europe/London")
    await _decline_starter_plan(bot)

    await bot.say("/schedule")
    screen = await bot.expect("Your prompts")
    assert "Europe/London" in screen.text and "no scheduled prompts" in screen.text
    checkin = bot.services.catalog.program(CHECKIN)
    steps = [
        ("➕ Add a prompt", "What would you like"),
        (checkin.title, "Which days?"),
        ("Next »", "At what hour?"),
        ("18", "At 18:"),
        ("18:30", "Saved"),
    ]
    for label, shows in steps:
        await bot.press(label, screen)
        screen = await bot.expect_edit(screen)
        assert shows in screen.text, (label, screen.text)
    assert f"{checkin.title} — weekdays at 18:30" in screen.text
    assert "Next: Mon 2 Nov at 18:30" in screen.text

    bot.clock.set(_at("Europe/London", MONDAY, 18, 29))
    assert (await bot.tick()).sent == 0
    bot.clock.set(_at("Europe/London", MONDAY, 18, 30))
    assert (await bot.tick()).sent == 1
    prompt = await bot.expect("Time to reflect")
    assert checkin.title in prompt.text and f"{checkin.duration_minutes} min" in prompt.text

    await bot.press("Start now", prompt)
    first = checkin.next_step(None, {})
    assert first is not None
    question = await bot.expect(first.question)
    assert question.message_id > prompt.message_id
    assert bot.emulator.messages(USER)[prompt.message_id - 1].button_texts == []


async def test_the_starter_plan_is_offered_after_onboarding_and_shown_in_local_time(
    bot: Harness,
) -> None:
    await bot.onboard(zone="America/New_York")
    offer = _offer(bot)
    assert "weekdays at 18:00" in offer.text and "Sundays at 18:00" in offer.text
    await bot.press("Use this plan", offer)
    await bot.expect("Your plan is set")

    await bot.say("/schedule")
    screen = await bot.expect("Your prompts")
    assert "(times in America/New_York)" in screen.text
    checkin = bot.services.catalog.program(CHECKIN).title
    assert f"{checkin} — weekdays at 18:00" in screen.text
    assert "A deeper exercise (a different one each time) — Wednesdays at 19:00" in screen.text
    assert "Your weekly digest — Sundays at 18:00" in screen.text

    # The offer's button pressed again (a stale keyboard) adds nothing.
    await bot.emulator.press_button(USER, offer.message_id, "plan:yes", strict=False)
    again = await bot.expect("You already have a schedule")
    assert again.text.count("•") == 3


async def test_snooze_an_hour_then_skip(bot: Harness) -> None:
    await bot.onboard(zone="Europe/London")
    await bot.press("Use this plan", _offer(bot))
    await bot.expect("Your plan is set")
    bot.clock.set(_at("Europe/London", MONDAY, 18))
    await bot.tick()
    prompt = await bot.expect("Time to reflect")
    assert "Tonight" in prompt.button_texts
    await bot.press("Snooze 1 h", prompt)
    await bot.expect("I'll remind you at 19:00")

    bot.clock.set(_at("Europe/London", MONDAY, 18, 59))
    assert (await bot.tick()).sent == 0
    bot.clock.set(_at("Europe/London", MONDAY, 19))
    assert (await bot.tick()).sent == 1
    again = await bot.expect("Time to reflect")
    await bot.press("Skip", again)
    await bot.expect("Skipped")


async def test_pause_for_days_then_resume(bot: Harness) -> None:
    await bot.onboard(zone="Europe/London")
    await bot.press("Use this plan", _offer(bot))
    await bot.expect("Your plan is set")
    await bot.say("/pause 2")
    await bot.expect("start again on Wed 4 Nov")

    bot.clock.set(_at("Europe/London", MONDAY, 18))
    report = await bot.tick()
    assert (report.sent, report.sending.skipped) == (0, 1)

    await bot.say("/resume")
    await bot.expect("Prompts are back on")
    bot.clock.set(_at("Europe/London", MONDAY + timedelta(days=1), 18))
    assert (await bot.tick()).sent == 1
    await bot.expect("Time to reflect")


async def test_a_new_time_zone_applies_to_the_next_prompts(bot: Harness) -> None:
    await bot.onboard(zone="Europe/London")
    await bot.press("Use this plan", _offer(bot))
    await bot.expect("Your plan is set")
    await bot.say("/timezone")
    await bot.expect("Which time zone")
    await bot.say("America/New_York")
    await bot.expect("America/New_York")

    bot.clock.set(_at("Europe/London", MONDAY, 18))
    assert (await bot.tick()).sent == 0, "18:00 in London is no longer the time"
    bot.clock.set(_at("America/New_York", MONDAY, 18))
    assert (await bot.tick()).sent == 1
    await bot.expect("Time to reflect")


async def test_change_the_time_then_remove_a_schedule(bot: Harness) -> None:
    await bot.onboard(zone="Asia/Kolkata")
    await bot.press("Use this plan", _offer(bot))
    await bot.expect("Your plan is set")
    await bot.say("/schedule")
    screen = await bot.expect("Your prompts")
    digest_button = next(label for label in screen.button_texts if "digest" in label)
    for label in (digest_button, "Time", "09", "09:15"):
        await bot.press(label, screen)
        screen = await bot.expect_edit(screen)
    assert "Your weekly digest — Sundays at 09:15" in screen.text

    deeper_button = next(label for label in screen.button_texts if "19:00" in label)
    for label in (deeper_button, "What", bot.services.catalog.program("secure-base").title):
        await bot.press(label, screen)
        screen = await bot.expect_edit(screen)
    secure_base = bot.services.catalog.program("secure-base").title
    assert f"Saved: {secure_base} — Wednesdays at 19:00." in screen.text

    changed = next(label for label in screen.button_texts if "19:00" in label)
    for label in (changed, "Days", "Wed", "Fri", "Save"):  # Wednesday off, Friday on
        await bot.press(label.replace("Wed", "✓ Wed"), screen)
        screen = await bot.expect_edit(screen)
    assert f"{secure_base} — Fridays at 19:00" in screen.text

    checkin_button = next(label for label in screen.button_texts if "18:00" in label)
    for label in (checkin_button, "Remove"):
        await bot.press(label, screen)
        screen = await bot.expect_edit(screen)
    assert "Removed" in screen.text and screen.text.count("•") == 2


async def test_someone_elses_schedule_button_changes_nothing(bot: Harness) -> None:
    await bot.onboard(zone="Europe/London")
    await bot.press("Use this plan", _offer(bot))
    await bot.expect("Your plan is set")
    await bot.say("/schedule")
    mine = await bot.expect("Your prompts")
    target = mine.callback_data(mine.button_texts[0]).replace(":ed:", ":rm:")

    other = USER + 1
    await bot.onboard(user=other, zone="Europe/London")
    offer = _offer(bot, other)
    query = await bot.emulator.press_button(other, offer.message_id, target, strict=False)
    answer = await bot.emulator.wait_for_callback_answer(query)
    assert answer.text is not None and "earlier message" in answer.text
    await bot.say("/schedule")
    assert (await bot.expect("Your prompts")).text.count("•") == 3


async def test_blocking_the_bot_stops_prompts_at_once_and_unblocking_says_how_to_resume(
    bot: Harness,
) -> None:
    await bot.onboard(zone="Europe/London")
    await bot.press("Use this plan", _offer(bot))
    await bot.expect("Your plan is set")

    bot.emulator.block_chat(USER)  # Telegram tells the bot (my_chat_member: kicked)
    await _until_prompts_stopped(bot)
    bot.clock.set(_at("Europe/London", MONDAY, 18))
    report = await bot.tick()
    assert (report.sent, report.sending.unreachable) == (0, 0), "no send was even tried"
    assert not [e for e in bot.emulator.api_errors if e.method == "sendMessage"]

    bot.emulator.unblock_chat(USER)
    back = await bot.expect("Welcome back")
    assert "/resume" in back.text
    await bot.say("/start")
    assert "/resume" in (await bot.expect("You're all set")).text
    await bot.say("/resume")
    await bot.expect("Prompts are back on")
    bot.clock.set(_at("Europe/London", MONDAY + timedelta(days=1), 18))
    assert (await bot.tick()).sent == 1
    await bot.expect("Time to reflect")


async def test_prompts_come_back_the_next_day_after_a_403_and_resume(bot: Harness) -> None:
    await bot.onboard(zone="Europe/London")
    await bot.press("Use this plan", _offer(bot))
    await bot.expect("Your plan is set")
    bot.emulator.block_chat(USER, notify_bot=False)  # the bot learns it from a failed send
    bot.clock.set(_at("Europe/London", MONDAY, 18))
    assert (await bot.tick()).sending.unreachable == 1

    await bot.say("/resume")  # writing to the bot unblocks it
    await bot.expect("Prompts are back on")
    bot.clock.set(_at("Europe/London", MONDAY + timedelta(days=1), 18))
    assert (await bot.tick()).sent == 1, "tomorrow's prompt was planned before the 403"
    await bot.expect("Time to reflect")


async def _until_prompts_stopped(bot: Harness, *, within: float = 5.0) -> None:
    """Waits for the bot to have handled the block: nothing else is visible, it can't reply."""
    for _ in range(int(within / 0.02)):
        async with transaction(bot.services.sessions) as session:
            active = (await session.execute(select(col(Schedule.active)))).scalars().all()
        if active and not any(active):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not stop the prompts after being blocked")
