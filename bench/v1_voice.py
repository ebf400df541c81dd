"""V1: voice-note transcription on this machine (issue #22) — speed, memory, accuracy.

Clips of about 10 s, 60 s and 180 s of a clinician's reflection are spoken by espeak-ng,
resampled by sox and encoded to OGG/Opus by opusenc (as Telegram sends voice notes), then
transcribed by the transcriber's own engine (faster-whisper, int8, CPU, the default Whisper
base model from the voice extra), in this process:

  load        seconds to load the model (from the pinned packages, checked by hash)
  RTF         transcription time ÷ audio duration, per clip (first a 3 s warm-up clip)
  RSS         resident memory (VmRSS) after loading and after the clips; peak (VmHWM)
  WER         word error rate against the words spoken (lower case, no punctuation)

    python -m bench v1 [--threads 2] [--beam 1]

Target: RTF ≤ 0.3 with the default model, int8, on a 2-core machine.
Results: bench/results/V1.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._machine import machine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # `python bench/v1_voice.py` from a checkout
    sys.path.insert(0, str(ROOT / "src"))

RESULTS = ROOT / "bench" / "results" / "V1.md"
TARGET_RTF = 0.3
SENTENCES = (
    "The session started late because my client was caught in traffic.",
    "She seemed withdrawn at first and answered my questions briefly.",
    "I noticed that I was rushing to fill the silence with suggestions.",
    "When I slowed down and asked how she was feeling, she began to cry.",
    "We talked about her mother and the weeks after the funeral.",
    "Towards the end she said that the homework felt pointless to her.",
    "I felt a flash of irritation and then a wish to defend the plan.",
    "Instead I asked what would make the next week more useful for her.",
    "She suggested writing a short note each evening about her sleep.",
    "Next time I want to check in about the goal before we start.",
    "I should also ask plainly how the session felt for her today.",
    "My supervisor might help me think about the pull to rescue her.",
)
CLIPS = (("10 s", 10), ("60 s", 60), ("180 s", 180))
WORDS_PER_SECOND = 3.3  # espeak-ng's default voice and speed, measured


def passage(seconds: int) -> str:
    words_wanted = int(seconds * WORDS_PER_SECOND)
    chosen: list[str] = []
    count = 0
    index = 0
    while count < words_wanted:
        sentence = SENTENCES[index % len(SENTENCES)]
        chosen.append(sentence)
        count += len(sentence.split())
        index += 1
    return " ".join(chosen)


def speak(text: str, folder: Path, name: str) -> Path:
    wav, resampled, ogg = (folder / f"{name}{ext}" for ext in (".wav", ".48k.wav", ".ogg"))
    subprocess.run(["espeak-ng", "-w", str(wav), text], check=True)
    subprocess.run(["sox", str(wav), "-r", "48000", "-c", "1", str(resampled)], check=True)
    subprocess.run(["opusenc", "--quiet", "--bitrate", "32", str(resampled), str(ogg)], check=True)
    return ogg


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def word_error_rate(reference: str, heard: str) -> float:
    """(substitutions + deletions + insertions) ÷ reference words (Levenshtein over words)."""
    ref, hyp = words(reference), words(heard)
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, other in enumerate(hyp, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
        previous = current
    return previous[-1] / max(len(ref), 1)


def memory() -> dict[str, float]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench v1")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam", type=int, default=None, help="default: the engine's")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("espeak-ng", "sox", "opusenc") if shutil.which(tool) is None]
    if missing:
        print("V1 needs " + ", ".join(missing) + " (Debian: espeak-ng sox opus-tools)")
        return 2
    from reflect_bot.transcriber import engine as engines

    if args.beam is not None:
        engines.BEAM_SIZE = args.beam
    started = time.perf_counter()
    engine = engines.load_engine(folder=None, language="en", max_seconds=600, threads=args.threads)
    load_seconds = time.perf_counter() - started
    after_load = memory()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warm = speak(SENTENCES[0], folder, "warm")
        engine.transcribe(warm.read_bytes())
        for label, seconds in CLIPS:
            text = passage(seconds)
            audio = speak(text, folder, label.replace(" ", "")).read_bytes()
            begun = time.perf_counter()
            heard = engine.transcribe(audio)
            spent = time.perf_counter() - begun
            if not isinstance(heard, engines.Heard):
                print(f"{label}: no transcript ({heard})")
                return 1
            rows.append(
                (
                    label,
                    heard.seconds,
                    spent,
                    spent / heard.seconds,
                    word_error_rate(text, heard.text),
                )
            )
    after = memory()
    lines = [
        "# V1: voice-note transcription",
        "",
        "`python -m bench v1" + (" " + " ".join(argv) if argv else "") + "`",
        "",
        *(f"- {key}: {value}" for key, value in machine().items()),
        f"- engine: faster-whisper int8, {args.threads} threads, beam {engines.BEAM_SIZE}, "
        f"model {engine.name}",
        "",
        "| clip | audio | transcription | RTF | WER |",
        "|---|---|---|---|---|",
        *(
            f"| {label} | {audio:.1f} s | {spent:.2f} s | {rtf:.3f} | {wer:.1%} |"
            for label, audio, spent, rtf, wer in rows
        ),
        "",
        f"- model load: {load_seconds:.2f} s",
        f"- RSS after load: {after_load['VmRSS']:.0f} MiB; after the clips: "
        f"{after['VmRSS']:.0f} MiB; peak: {after['VmHWM']:.0f} MiB",
        f"- target RTF ≤ {TARGET_RTF}: "
        + ("met" if all(rtf <= TARGET_RTF for *_, rtf, _ in rows) else "**not met**"),
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
