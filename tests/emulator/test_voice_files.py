"""Voice notes and audio files from users: the update carries them, and the bot can fetch
their bytes with getFile and a file download, as from Telegram (issue #22)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot, Update

from reflect_bot.emulator import BotAPIEmulator

from ._support import TOKEN

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

OGG = b"OggS\x00\x02" + bytes(20) + b"OpusHead" + b"spoken words, as bytes" * 50


def _whole_seconds(duration: int | timedelta) -> int:
    return int(duration.total_seconds()) if isinstance(duration, timedelta) else duration


async def _last_update(bot: Bot) -> Update:
    updates = await bot.get_updates(timeout=0)
    assert updates
    return updates[-1]


async def test_voice_note_downloaded_by_the_bot(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    await emu.send_voice(chat, OGG, duration=7)
    message = (await _last_update(bot)).message
    assert message is not None and message.voice is not None
    assert _whole_seconds(message.voice.duration) == 7 and message.voice.mime_type == "audio/ogg"
    assert message.voice.file_size == len(OGG)

    file = await bot.get_file(message.voice.file_id)
    assert file.file_path is not None
    assert file.file_path.startswith(emu.base_file_url + TOKEN + "/voice/")
    assert bytes(await file.download_as_bytearray()) == OGG


async def test_audio_file_downloaded_by_the_bot(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    await emu.send_audio(chat, OGG, file_name="session.ogg", duration=42)
    message = (await _last_update(bot)).message
    assert message is not None and message.audio is not None
    assert _whole_seconds(message.audio.duration) == 42 and message.audio.file_name == "session.ogg"
    assert message.voice is None

    file = await bot.get_file(message.audio.file_id)
    assert file.file_path is not None and "/music/" in file.file_path
    assert bytes(await file.download_as_bytearray()) == OGG
