"""The speech engine itself, with the pinned model: each note's language is judged on that
note, even when two notes are transcribed at once (a transcription the worker gave up waiting
for can still be running beside the next)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reflect_bot.domain.transcription import Failure
from reflect_bot.transcriber.engine import Heard, load_engine
from tests.voice_support import speak

pytestmark = pytest.mark.slow

ENGLISH = "I noticed the client went quiet after I mentioned the missed session."
FRENCH = "Bonjour, je voudrais parler de la séance d'aujourd'hui avec mon client."


@pytest.mark.timeout(300)
async def test_two_notes_at_once_are_each_judged_on_their_own_language(tmp_path: Path) -> None:
    # speak() skips (or, in CI, fails) without the speech tools and the voice extra.
    english = speak(ENGLISH, tmp_path, name="english")
    french = speak(FRENCH, tmp_path, name="french", voice="fr")
    engine = load_engine(folder=None, language="en", max_seconds=300, threads=1)

    for _ in range(2):  # whichever thread encodes first
        heard, refused = await asyncio.gather(
            asyncio.to_thread(engine.transcribe, english),
            asyncio.to_thread(engine.transcribe, french),
        )
        assert isinstance(heard, Heard)
        assert {"client", "mentioned"} <= set(heard.text.lower().replace(".", "").split())
        assert refused is Failure.LANGUAGE
