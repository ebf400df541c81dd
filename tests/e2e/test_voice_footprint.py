"""The bot with voice on never loads the speech engine: a voice note is queued and
acknowledged by a bot process in which faster-whisper, CTranslate2, PyAV, NumPy and
onnxruntime were never imported (DESIGN: heavy capabilities run beside the bot)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from reflect_bot.db.migrations import upgrade_head
from tests.voice_support import need_voice

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ("faster_whisper", "ctranslate2", "av", "numpy", "onnxruntime", "tokenizers")

CHILD = """
import asyncio, json, sys
from pathlib import Path

from tests.e2e.harness import running_bot
from tests.e2e.test_voice import to_the_last_note

async def main() -> None:
    url, data_dir, key = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    async with running_bot(database_url=url, data_dir=data_dir, key=key) as bot:
        assert bot.settings.voice_on
        await bot.onboard()
        await to_the_last_note(bot)
        await bot.emulator.send_voice(1001, b"OggS" + bytes(40), duration=3)
        await bot.expect("Transcribing")
    print(json.dumps(sorted(sys.modules)))

asyncio.run(main())
"""


async def test_a_bot_taking_a_voice_note_never_imports_the_engine(
    sqlite_url: str, tmp_path: Path, encryption_key: str
) -> None:
    need_voice()  # installed here, so not importing it is a choice the bot makes
    await asyncio.to_thread(upgrade_head, sqlite_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, sqlite_url, str(tmp_path), encryption_key,
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(child.communicate(), timeout=60)
    assert child.returncode == 0, err.decode()
    modules = set(json.loads(out.decode().strip().splitlines()[-1]))
    assert "reflect_bot.flows.voice" in modules, "the note was queued"
    loaded = {m for m in modules if m.split(".")[0] in ENGINE}
    assert loaded == set()
