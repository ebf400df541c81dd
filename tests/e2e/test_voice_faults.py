"""Voice notes when things go wrong, and where no reflection waits (issue #22).

Each fault gets kind words and loses nothing: the reflection stays where it was, so the
clinician can type instead. A transcriber that fails three times on a note tells the
clinician. The speech faults (unreadable audio, another language) run through a real
transcriber process; the retry counting and the chat around a transcript run an in-process
`Transcriber` with a fake engine, so they need no model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reflect_bot import telegram_http
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import TranscriptionJob
from reflect_bot.domain.transcription import Failure
from reflect_bot.transcriber.engine import Heard
from reflect_bot.transcriber.worker import Transcriber
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness, running_bot
from tests.e2e.test_voice import HEARD, jobs, note_answer, to_the_last_note
from tests.shipped import CHECKIN_PROGRAM_ID
from tests.voice_support import silence, speak, transcriber

NOT_AUDIO = b"OggS\x00\x02" + bytes(20) + b"OpusHead" + bytes(11)


class BrokenEngine:
    """An engine whose every try fails, as a crashing decoder or model would."""

    def __init__(self) -> None:
        self.tries = 0

    def transcribe(self, audio: bytes) -> Heard | Failure:
        self.tries += 1
        raise RuntimeError("the engine fell over")


class FixedEngine:
    """An engine that hears the same words in every note."""

    def __init__(self, words: str) -> None:
        self.words = words

    def transcribe(self, audio: bytes) -> Heard | Failure:
        return Heard(self.words, 3.0)


async def in_process(
    bot: Harness, engine: BrokenEngine | FixedEngine
) -> AsyncIterator[Transcriber]:
    assert bot.settings.bot_token is not None
    async with telegram_http.bot(
        bot.settings.bot_token.get_secret_value(),
        base_url=bot.emulator.base_url,
        base_file_url=bot.emulator.base_file_url,
    ) as telegram:
        yield Transcriber(
            settings=bot.settings,
            sessions=bot.services.sessions,
            clock=bot.clock,
            engine=engine,
            bot=telegram,
            worker="test-transcriber",
        )


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_unreadable_audio_another_language_and_silence_are_said_kindly(
    bot: Harness, tmp_path: Path
) -> None:
    french = speak(
        "Bonjour, je voudrais parler de la séance d'aujourd'hui avec mon client.",
        tmp_path,
        voice="fr",
    )
    await bot.onboard()
    await to_the_last_note(bot)
    async with transcriber(bot.settings):
        await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
        await bot.expect("Transcribing…")
        await bot.expect("couldn't read that audio", within=60)
        await bot.emulator.send_voice(USER, french, duration=5)
        await bot.expect("Transcribing…")
        await bot.expect("a language I can't transcribe", within=60)
        await bot.emulator.send_voice(USER, silence(4, tmp_path), duration=4)
        await bot.expect("Transcribing…")
        await bot.expect("couldn't hear any words", within=60)
    assert await jobs(bot) == []
    await bot.say("Typed after all.")  # the reflection was where it was left
    await bot.expect("Thank you")
    assert await note_answer(bot) == "Typed after all."


async def test_too_long_by_its_length_is_refused_at_once(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str
) -> None:
    async with running_bot(
        database_url=migrated_sqlite_url,
        data_dir=tmp_path,
        key=encryption_key,
        speech_max_seconds=60,
    ) as bot:
        await bot.onboard()
        await to_the_last_note(bot)
        await bot.emulator.send_voice(USER, NOT_AUDIO, duration=61)
        refused = await bot.expect("longer than I can transcribe here")
        assert "(up to 1 min)" in refused.text
        assert await jobs(bot) == []
        await bot.say("Typed instead.")
        await bot.expect("Thank you")


async def test_three_failed_tries_are_reported_and_the_clinician_types(bot: Harness) -> None:
    await bot.onboard()
    await to_the_last_note(bot)
    await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
    await bot.expect("Transcribing…")
    engine = BrokenEngine()
    async for worker in in_process(bot, engine):
        assert await worker.once() and await worker.once()
        await bot.emulator.assert_no_bot_message(USER, within=0.2)
        [job] = await jobs(bot)
        assert job.attempts == 2 and job.status == "pending" and job.audio is not None
        assert await worker.once()
        await bot.expect("tried several times and couldn't transcribe")
        assert not await worker.once()  # nothing left to do
    assert engine.tries == 3
    assert await jobs(bot) == []
    await bot.say("Typed instead.")
    await bot.expect("Thank you")


async def test_discarded_transcript_keeps_nothing(bot: Harness) -> None:
    await bot.onboard()
    await to_the_last_note(bot)
    await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
    await bot.expect("Transcribing…")
    async for worker in in_process(bot, FixedEngine("Words <b>as</b> heard & said")):
        assert await worker.once()
    heard = await bot.expect(HEARD)
    assert "Words <b>as</b> heard & said" in heard.text  # shown as said, not as markup
    save = heard.callback_data("Save")
    await bot.press("Discard", heard)
    await bot.expect("Discarded")
    assert await jobs(bot) == [] and await note_answer(bot) is None
    # Save, pressed late (another device still showing the buttons): nothing changes.
    query = await bot.emulator.press_button(USER, heard.message_id, save, strict=False)
    gone = await bot.emulator.wait_for_callback_answer(query)
    assert gone.text is not None and "already been saved, edited or discarded" in gone.text


async def test_a_note_outside_a_reflection_is_offered_not_dropped(bot: Harness) -> None:
    await bot.onboard()
    await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
    await bot.expect("Transcribing…")
    async for worker in in_process(bot, FixedEngine("A thought after supervision.")):
        assert await worker.once()
    heard = await bot.expect(HEARD)
    assert heard.button_texts == [texts.CHECKIN_NOTE_BUTTON, "Edit", "Discard"]
    assert "/checkin" in heard.text
    await bot.press(texts.CHECKIN_NOTE_BUTTON, heard)
    await bot.expect("no check-in from the last day")  # none yet: the words stay on offer
    await bot.press("Edit", heard)
    copy = await bot.expect("Here are the words to copy")
    assert "A thought after supervision." in copy.text


async def test_a_note_after_a_check_in_is_added_to_its_last_note(bot: Harness) -> None:
    """Outside a reflection, a spoken afterthought joins the latest check-in's last note
    (what was typed there first is kept, and as a revision), and shows in /journal."""
    await bot.onboard()
    await to_the_last_note(bot)
    await bot.say("Typed first.")
    await bot.expect("Thank you")
    bot.clock.advance(timedelta(hours=2))
    await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
    await bot.expect("Transcribing…")
    async for worker in in_process(bot, FixedEngine("Spoken afterwards.")):
        assert await worker.once()
    heard = await bot.expect(HEARD)
    await bot.press(texts.CHECKIN_NOTE_BUTTON, heard)
    await bot.expect("Added to the last note of your")
    assert await note_answer(bot) == "Typed first.\n\nSpoken afterwards."
    assert await jobs(bot) == []
    await bot.say("/journal")
    page = await bot.expect("Your journal")
    await bot.press("1", page)
    entry = await bot.expect(bot.services.catalog.program(CHECKIN_PROGRAM_ID).title)
    assert "Spoken afterwards." in entry.text


async def test_forget_erases_waiting_notes(bot: Harness) -> None:
    await bot.onboard()
    await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
    await bot.expect("Transcribing…")
    assert len(await jobs(bot)) == 1
    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press("Erase everything", confirm)
    await bot.expect("erased")
    async with transaction(bot.services.sessions) as session:
        assert list((await session.execute(select(TranscriptionJob))).scalars()) == []


async def test_without_voice_a_note_gets_text_only_please(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str
) -> None:
    async with running_bot(
        database_url=migrated_sqlite_url,
        data_dir=tmp_path,
        key=encryption_key,
        speech_enabled=False,
    ) as bot:
        await bot.onboard()
        await to_the_last_note(bot)
        await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
        await bot.expect("I can only read text for now")
        assert await jobs(bot) == []


async def test_a_saved_transcript_gets_the_identifying_details_check(bot: Harness) -> None:
    """Spoken words are checked like typed ones once saved: the notice names kinds only."""
    await bot.onboard()
    await to_the_last_note(bot)
    await bot.emulator.send_voice(USER, NOT_AUDIO, duration=4)
    await bot.expect("Transcribing…")
    named = "My client Sarah went quiet; her email is sarah.k@example.org"
    async for worker in in_process(bot, FixedEngine(named)):
        assert await worker.once()
    heard = await bot.expect(HEARD)
    await bot.press("Save", heard)
    notice = await bot.expect("I noticed")
    assert "an email address and what looks like a client's name" in notice.text
    assert "Sarah" not in notice.text
    await bot.expect("Thank you")
    assert await note_answer(bot) == named  # stored as confirmed, until they replace it
    assert await jobs(bot) == []


async def test_a_slow_voice_download_holds_up_no_other_clinician(bot_on: Harness) -> None:
    """On SQLite a transaction that has written holds the whole database's write lock: the
    bot must not keep one open while it fetches a voice note from Telegram. (On PostgreSQL
    the open transaction locks only the clinician who sent the note.)"""
    bot = bot_on
    other = USER + 1
    await bot.onboard()
    await bot.onboard(user=other)
    await to_the_last_note(bot)
    program = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin", user=other)
    question = await bot.expect(program.title, user=other)
    first = program.next_step(None, {})
    assert first is not None

    bot.emulator.faults.delay("getFile", 3.0)  # Telegram slow to hand over the note
    await bot.emulator.send_voice(USER, NOT_AUDIO, duration=2)
    await bot.answer_step(first, question, typed=True, user=other)
    await bot.expect(user=other, within=2.0)  # the other clinician's next question
    assert not [m for m in bot.emulator.bot_messages(USER) if "Transcribing" in (m.text or "")]

    await bot.expect("Transcribing…", within=10)  # and the note is queued, not lost
    [job] = await jobs(bot)
    assert job.status == "pending"
