"""The speech engine: faster-whisper on the CPU, int8, turning audio bytes into words.

Audio is decoded from memory (PyAV), never written to disk. A note that cannot be decoded,
is longer than allowed, is clearly in another language or holds no words is a `Failure`, said
kindly to the clinician; anything else unexpected propagates and the job is retried.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from reflect_bot.domain.transcription import Failure
from reflect_bot.transcriber.model import MODEL_NAME, check_folder, packaged_files

if TYPE_CHECKING:
    from pathlib import Path

    from reflect_bot.transcriber.whisper import ListeningWhisper

SAMPLE_RATE = 16_000
# Greedy decoding: beam search (5) costs ≈ 2× the time for little gain on dictated notes
# (bench/RESULTS.md, V1).
BEAM_SIZE = 1


@dataclass(frozen=True)
class Heard:
    text: str
    seconds: float


class Engine(Protocol):
    def transcribe(self, audio: bytes) -> Heard | Failure: ...


class WhisperEngine:
    """One loaded faster-whisper model; `transcribe` is blocking (run it in a thread)."""

    def __init__(
        self, model: ListeningWhisper, *, name: str, language: str, max_seconds: int
    ) -> None:
        self.model = model
        self.name = name
        self.language = language
        self.max_seconds = max_seconds

    def transcribe(self, audio: bytes) -> Heard | Failure:
        from faster_whisper.audio import decode_audio

        from reflect_bot.transcriber.whisper import InAnotherLanguage

        try:
            samples = decode_audio(io.BytesIO(audio), sampling_rate=SAMPLE_RATE)
        except Exception:  # PyAV raises many kinds for data it cannot read
            return Failure.UNREADABLE
        seconds = len(samples) / SAMPLE_RATE
        if seconds == 0:
            return Failure.UNREADABLE
        if seconds > self.max_seconds:
            return Failure.TOO_LONG
        self.model.expect(self.language)
        segments, _info = self.model.transcribe(
            samples,
            language=self.language,
            beam_size=BEAM_SIZE,
            vad_filter=True,
            condition_on_previous_text=False,
        )
        try:  # segments are decoded as they are read: the first window's language comes first
            text = " ".join(segment.text.strip() for segment in segments).strip()
        except InAnotherLanguage:
            return Failure.LANGUAGE
        return Heard(text, seconds) if text else Failure.SILENT


def load_engine(
    *, folder: Path | None, language: str, max_seconds: int, threads: int
) -> WhisperEngine:
    """Loads the model from `folder`, or from the pinned packages; never downloads."""
    # Belt and braces: nothing below may reach a model hub, whatever happens.
    os.environ["HF_HUB_OFFLINE"] = "1"
    from reflect_bot.transcriber.whisper import ListeningWhisper

    common: dict[str, Any] = {"device": "cpu", "compute_type": "int8", "cpu_threads": threads}
    if folder is not None:
        path = check_folder(folder)
        model = ListeningWhisper(str(path), **common)
        name = str(path)
    else:
        model = ListeningWhisper("whisper-base", files=packaged_files(), **common)
        name = MODEL_NAME
    return WhisperEngine(model, name=name, language=language, max_seconds=max_seconds)
