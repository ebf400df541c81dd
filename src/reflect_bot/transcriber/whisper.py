"""faster-whisper's model, checking the language on the encoding it makes anyway.

Encoding a 30-second window is most of the work on a short note (≈ 1.05 of ≈ 1.5 s of CPU
for a 5-second note). Asking faster-whisper to detect the language first would encode the
note's first window twice; reading the language off the first window transcription encodes
saves that, and stops a note in another language before any of it is decoded. Imported only
by the transcriber (the `voice` extra).
"""

from __future__ import annotations

import threading
from typing import Any

from faster_whisper import WhisperModel

from reflect_bot.domain.transcription import other_language


class InAnotherLanguage(Exception):
    """The note's first window is clearly in another language than the deployment's."""


class ListeningWhisper(WhisperModel):  # type: ignore[misc]  # faster-whisper has no type hints
    """A `WhisperModel` whose first encoding after `expect(language)` is checked for it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per thread: a note is encoded in the thread that transcribes it, and a transcription
        # abandoned by the worker may still be running beside the next one.
        self._pending = threading.local()

    def expect(self, language: str) -> None:
        """The next note this thread transcribes should be in `language`; its first window
        will tell."""
        self._pending.language = language

    def encode(self, features: Any) -> Any:
        output = super().encode(features)
        expected = getattr(self._pending, "language", None)
        self._pending.language = None
        if expected is not None:
            # CTranslate2 reads encoder output here as well as features; tokens look like <|en|>.
            token, probability = self.model.detect_language(output)[0][0]
            if other_language(token[2:-2], probability, expected=expected):
                raise InAnotherLanguage(token[2:-2])
        return output
