"""Speech made here for the voice tests, and `reflect-bot transcriber` as a real process.

Clips are spoken by espeak-ng, resampled by sox and encoded to OGG/Opus by opusenc, as
Telegram sends voice notes (Debian: espeak-ng sox opus-tools; `.ci/run` installs them). Without
those tools or the `voice` extra the tests skip with the reason, unless REFLECT_REQUIRE_VOICE=1
(CI), where they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.util import find_spec
from pathlib import Path

import pytest

from reflect_bot.config import Settings

REQUIRE_VOICE = os.environ.get("REFLECT_REQUIRE_VOICE") == "1"
TOOLS = ("espeak-ng", "sox", "opusenc")
ROOT = Path(__file__).resolve().parents[1]


def need_voice() -> None:
    """Skips (or, in CI, fails) unless the speech tools and the voice extra are here."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if find_spec("faster_whisper") is None:
        missing.append("the voice extra (pip install -e '.[dev,voice]')")
    if missing:
        reason = "voice tests need " + ", ".join(missing)
        if REQUIRE_VOICE:
            pytest.fail(reason + " (REFLECT_REQUIRE_VOICE=1)")
        pytest.skip(reason)


def speak(text: str, folder: Path, *, name: str = "note", voice: str = "en") -> bytes:
    """`text` spoken by espeak-ng, as an OGG/Opus voice note (48 kHz mono, 32 kbit/s)."""
    need_voice()
    wav, resampled = folder / f"{name}.wav", folder / f"{name}.48k.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True)
    subprocess.run(["sox", str(wav), "-r", "48000", "-c", "1", str(resampled)], check=True)
    return _voice_note(resampled)


def silence(seconds: float, folder: Path) -> bytes:
    """`seconds` of silence, as an OGG/Opus voice note like `speak`'s."""
    need_voice()
    wav = folder / "silence.wav"
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(wav), "trim", "0", str(seconds)],
        check=True,
    )
    return _voice_note(wav)


def _voice_note(wav: Path) -> bytes:
    """A 48 kHz mono WAV file encoded as Telegram sends voice notes (OGG/Opus, 32 kbit/s)."""
    ogg = wav.with_suffix(".ogg")
    subprocess.run(["opusenc", "--quiet", "--bitrate", "32", str(wav), str(ogg)], check=True)
    return ogg.read_bytes()


def transcriber_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a transcriber serving the same bot, database and keys."""
    assert settings.bot_token is not None
    env = {key: value for key, value in os.environ.items() if not key.startswith("REFLECT_")}
    env.update(
        REFLECT_BOT_TOKEN=settings.bot_token.get_secret_value(),
        REFLECT_TELEGRAM_BASE_URL=settings.telegram_base_url,
        REFLECT_TELEGRAM_BASE_FILE_URL=settings.telegram_base_file_url,
        REFLECT_DATABASE_URL=settings.effective_database_url,
        REFLECT_DATA_DIR=str(settings.data_dir),
        REFLECT_ENCRYPTION_KEYS=",".join(k.get_secret_value() for k in settings.encryption_keys),
        REFLECT_TRANSCRIPTION_POLL_SECONDS="0.2",
        REFLECT_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


@asynccontextmanager
async def transcriber(
    settings: Settings, *, startup: float = 90.0, env: dict[str, str] | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m reflect_bot transcriber`, ready (model loaded); stopped with SIGTERM."""
    need_voice()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reflect_bot",
        "transcriber",
        cwd=settings.data_dir,  # no .env of the repository is read
        env=transcriber_env(settings, **(env or {})),
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    seen: list[str] = []

    async def ready() -> None:
        assert process.stderr is not None
        while True:
            line = (await process.stderr.readline()).decode(errors="replace")
            if not line:
                raise AssertionError("transcriber exited:\n" + "".join(seen))
            seen.append(line)
            if "ready" in line and "transcriber" in line:
                return

    try:
        await asyncio.wait_for(ready(), timeout=startup)
        drain = asyncio.create_task(_drain(process, seen))
        try:
            yield process
        finally:
            if process.returncode is None:
                process.terminate()
                await asyncio.wait_for(process.wait(), timeout=30)
            drain.cancel()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _drain(process: asyncio.subprocess.Process, seen: list[str]) -> None:
    # Keeps the pipe from filling up; the lines are there to read when a test fails.
    assert process.stderr is not None
    while line := await process.stderr.readline():
        seen.append(line.decode(errors="replace"))
