"""The alliance chart end to end: with the weekly digest, on /digest and on /trend; none (and
a word on what will come) before there are two weeks of check-ins."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from PIL import Image

from reflect_bot import transport
from reflect_bot.emulator import MessageRecord
from reflect_bot.render.charts import HEIGHT, WIDTH
from reflect_bot.transport import BACKOFF
from tests.e2e.harness import QUICK_RETRIES, USER, Harness
from tests.e2e.test_digest import add_weekly_digest
from tests.shipped import CHECKIN_PROGRAM_ID


async def _check_in(bot: Harness) -> None:
    checkin = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    first = await bot.expect(checkin.title)
    await bot.reflect_through(checkin, first)


async def _chart(bot: Harness) -> MessageRecord:
    message: MessageRecord = await bot.emulator.wait_for_bot_message(
        USER, predicate=lambda m: m.photo is not None, timeout=10
    )
    assert message.photo is not None
    image = Image.open(io.BytesIO(message.photo.data))
    assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
    assert message.protect_content
    return message


async def test_trend_waits_for_two_weeks_then_draws_them(bot: Harness) -> None:
    await bot.onboard()
    await _check_in(bot)

    await bot.say("/trend")
    not_yet = await bot.expect("appears once you have check-in ratings in at least two")
    assert "1 so far in the last 12" in not_yet.text

    bot.clock.advance(timedelta(weeks=2))  # a week with no check-in between
    await _check_in(bot)
    await bot.say("/trend 6")
    chart = await _chart(bot)
    caption = chart.caption or ""
    assert caption.startswith("Alliance over the last 6 weeks")
    # Every check-in rated 4: the numbers are in the caption, for screen readers.
    assert caption.count("Bond 4.0 · Goals 4.0 · Tasks 4.0 · Overall 4.0") == 2
    assert "No check-in ratings in 4 of the 6 weeks" in caption

    await bot.say("/trend soon")
    await bot.expect("/trend 26")


async def test_the_weekly_digest_arrives_with_its_chart(bot_on: Harness) -> None:
    bot = bot_on
    await bot.onboard()
    await _check_in(bot)  # Monday 2 November
    bot.clock.advance(timedelta(weeks=1))
    await _check_in(bot)  # Monday 9 November
    await add_weekly_digest(bot, weekday=6, at=time(18, 0))

    bot.clock.set(datetime(2026, 11, 15, 18, 0, tzinfo=UTC))  # Sunday 18:00 in London
    assert (await bot.tick()).sent == 1
    digest = await bot.expect("Your week in reflection")
    assert "9–15 November 2026" in digest.text
    chart = await _chart(bot)
    assert "Alliance over the last 12 weeks" in (chart.caption or "")
    assert chart.message_id > digest.message_id


async def test_no_chart_with_a_digest_of_an_empty_week(bot: Harness) -> None:
    await bot.onboard()
    await _check_in(bot)
    bot.clock.advance(timedelta(weeks=1))
    await _check_in(bot)
    bot.clock.advance(timedelta(weeks=1))
    await bot.say("/digest")
    await bot.expect("Nothing yet this week")
    await bot.say("/digest last")
    last = await bot.expect("Your week in reflection")
    chart = await _chart(bot)
    # The first photo in the chat came after last week's digest: none with the empty week.
    assert chart.message_id > last.message_id


async def _digest_due_with_chart(bot: Harness) -> None:
    await bot.onboard()
    await _check_in(bot)
    bot.clock.advance(timedelta(weeks=1))
    await _check_in(bot)
    await add_weekly_digest(bot, weekday=6, at=time(18, 0))
    bot.clock.set(datetime(2026, 11, 15, 18, 0, tzinfo=UTC))


def _digests(bot: Harness) -> list[MessageRecord]:
    messages = bot.emulator.bot_messages(USER)
    return [m for m in messages if "Your week in reflection" in (m.text or "")]


async def test_a_chart_refused_for_a_moment_comes_after_the_digest_sent_once(
    bot: Harness,
) -> None:
    """Telegram asks to slow down when the chart follows the digest: the chart is sent once
    it may be, and the digest is not sent again."""
    await _digest_due_with_chart(bot)
    bot.emulator.fail_next("sendPhoto", 429, retry_after=1)
    assert (await bot.tick()).sent == 1
    await _chart(bot)
    assert len(_digests(bot)) == 1


async def test_a_chart_that_keeps_failing_is_left_out_and_the_digest_sent_once(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "BACKOFF", QUICK_RETRIES)  # as many tries, shorter pauses
    await _digest_due_with_chart(bot)
    bot.emulator.fail_next("sendPhoto", 500, count=len(BACKOFF) + 1)  # every attempt
    report = await bot.tick()
    assert (report.sent, report.sending.retried) == (1, 0)
    assert len(_digests(bot)) == 1
    assert not [m for m in bot.emulator.bot_messages(USER) if m.photo is not None]
    bot.clock.advance(timedelta(hours=1))  # nothing left to retry
    assert (await bot.tick()).sent == 0
    assert len(_digests(bot)) == 1
