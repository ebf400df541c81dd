"""Voice notes as answers, end to end: the real bot, the emulator and a real
`reflect-bot transcriber` process with the Whisper base model, on speech made by espeak-ng.

What must hold (issue #22): the check-in's last answer given as a voice note is shown as
heard, edited, saved, and appears in /journal, the digest's excerpt and the export; the job
row and its audio are gone afterwards; a transcriber killed mid-job leaves the note to be
transcribed again and the clinician gets one transcript; with no transcriber, notes wait and
are done when one comes.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, TranscriptionJob
from tests.e2e.harness import USER, Harness
from tests.e2e.test_export import body_of, download, next_document
from tests.shipped import CHECKIN_PROGRAM_ID
from tests.voice_support import need_voice, speak, transcriber

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SPOKEN = "Next time I will slow down and ask how the session felt for them."
CORRECTED = "Next time I will slow down, and ask plainly how the session felt for them today."
HEARD = "Here's what I heard"


async def to_the_last_note(bot: Harness) -> Any:
    """/checkin answered up to its last, free-text note; returns that question."""
    program = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    message = await bot.expect(program.title)
    answers: dict[str, str | int] = {}
    step = program.next_step(None, answers)
    while step is not None and step.id != "note":
        answers[step.id] = await bot.answer_step(step, message)
        message = await bot.expect()
        step = program.next_step(step.id, answers)
    assert step is not None and step.question in message.text
    return message


async def jobs(bot: Harness) -> list[TranscriptionJob]:
    async with transaction(bot.services.sessions) as session:
        return list((await session.execute(select(TranscriptionJob))).scalars())


async def note_answer(bot: Harness) -> str | None:
    async with transaction(bot.services.sessions) as session:
        found = await session.execute(select(col(Answer.text)).where(col(Answer.step_id) == "note"))
        return found.scalar_one_or_none()


def heard_messages(bot: Harness) -> list[Any]:
    return [m for m in bot.emulator.bot_messages(USER) if HEARD in (m.text or "")]


async def test_last_checkin_note_spoken_edited_and_saved_everywhere(
    bot_on: Harness, tmp_path: Path
) -> None:
    bot = bot_on
    clip = speak(SPOKEN, tmp_path)
    await bot.onboard()
    await to_the_last_note(bot)
    async with transcriber(bot.settings):
        await bot.emulator.send_voice(USER, clip, duration=5)
        await bot.expect("Transcribing…")
        heard = await bot.expect(HEARD, within=120)
        assert "slow down" in heard.text.lower() and "session" in heard.text.lower()
        assert heard.button_texts == ["Save", "Edit", "Discard"]
        assert heard.protect_content
        await bot.press("Edit", heard)
        await bot.expect("Here are the words to correct")
        await bot.say(CORRECTED)
        await bot.expect("Thank you")

    assert await note_answer(bot) == CORRECTED
    assert await jobs(bot) == []  # the row, its audio and its transcript are gone

    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("1", page)
    entry = await bot.expect(bot.services.catalog.program(CHECKIN_PROGRAM_ID).title)
    assert CORRECTED in entry.text

    await bot.say("/digest")
    digest = await bot.expect("Your week so far")
    assert CORRECTED in digest.text  # the week's longest answer is its excerpt

    await bot.say("/export")
    _front, body = body_of(await download(bot, (await next_document(bot)).document))
    assert CORRECTED in body


async def test_saved_as_heard_and_a_killed_transcriber_gives_one_transcript(
    bot: Harness, tmp_path: Path
) -> None:
    """kill -9 while the note is being transcribed: the claim's lease runs out, the next
    transcriber does it again, and the clinician sees one transcript, which Save stores."""
    clip = speak(" ".join([SPOKEN] * 4), tmp_path)
    await bot.onboard()
    await to_the_last_note(bot)
    lease = {"REFLECT_TRANSCRIPTION_LEASE_SECONDS": "3"}
    async with transcriber(bot.settings, env=lease) as first:
        await bot.emulator.send_voice(USER, clip, duration=20)
        await bot.expect("Transcribing…")
        for _ in range(400):
            found = await jobs(bot)
            if found and found[0].status == "claimed":
                break
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    [job] = await jobs(bot)
    assert job.status == "claimed" and job.audio is not None and job.transcript is None
    assert not heard_messages(bot)

    async with transcriber(bot.settings, env=lease):
        heard = await bot.expect(HEARD, within=120)
        await bot.emulator.assert_no_bot_message(USER, within=2.0)
        assert len(heard_messages(bot)) == 1
        await bot.press("Save", heard)
        await bot.expect("Thank you")
    saved = await note_answer(bot)
    assert saved is not None and "slow down" in saved.lower()
    assert await jobs(bot) == []


async def test_notes_wait_for_a_transcriber_and_nothing_is_lost(
    bot: Harness, tmp_path: Path
) -> None:
    """No transcriber running: notes are acknowledged and kept; a later one is told it may
    take a while; when a transcriber starts, both come. The second answers a question that
    has moved on, so Save keeps nothing and hands the words back."""
    clip = speak(SPOKEN, tmp_path)
    await bot.onboard()
    await to_the_last_note(bot)
    await bot.emulator.send_voice(USER, clip, duration=5)
    await bot.expect("Transcribing…")
    bot.clock.advance(timedelta(minutes=1))
    await bot.emulator.send_voice(USER, clip, duration=5)
    waiting = await bot.expect("Transcribing…")
    assert "may take a while" in waiting.text
    assert len(await jobs(bot)) == 2

    async with transcriber(bot.settings):
        first = await bot.expect(HEARD, within=120)
        second = await bot.expect(HEARD, within=120)
        await bot.press("Save", first)
        await bot.expect("Thank you")
        await bot.press("Save", second)
        moved_on = await bot.expect("already moved on")
        assert "slow down" in moved_on.text.lower()
    assert await jobs(bot) == []
    async with transaction(bot.services.sessions) as session:
        count = await session.execute(
            select(func.count()).select_from(Answer).where(col(Answer.step_id) == "note")
        )
        assert count.scalar_one() == 1


def test_speech_tools_present() -> None:
    """CI sets REFLECT_REQUIRE_VOICE=1: this fails there if the tools or extra are missing."""
    need_voice()
