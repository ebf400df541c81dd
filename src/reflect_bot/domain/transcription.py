"""Rules of a voice note's transcription job: its states, its failures, when to give up.

pending ──claim──▶ claimed ──transcript──▶ offered ──Save/Edit/Discard──▶ (row deleted)
   ▲                  │ lease ran out (transcriber killed): claimed again, attempts + 1
   └──────────────────┘ after MAX_ATTEMPTS claims, or a fault in the audio ──▶ failed (told)
"""

from __future__ import annotations

from enum import StrEnum

MAX_ATTEMPTS = 3


class JobStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    OFFERED = "offered"  # the transcript is shown with Save / Edit / Discard
    FAILED = "failed"  # the clinician was told; the row goes once they were


class Failure(StrEnum):
    """Why no transcript came: each is said kindly, and the reflection stays where it was."""

    TOO_LONG = "too_long"
    UNREADABLE = "unreadable"  # not audio the decoder can read
    LANGUAGE = "language"  # clearly a language the deployment does not transcribe
    SILENT = "silent"  # no words heard
    GAVE_UP = "gave_up"  # MAX_ATTEMPTS transcribers died or failed on it


def gives_up(claims: int) -> bool:
    """True when a job is claimed again after MAX_ATTEMPTS claims ended without a
    transcript (each transcriber died or failed on it): the clinician is told instead."""
    return claims > MAX_ATTEMPTS


def other_language(
    detected: str, probability: float, *, expected: str, threshold: float = 0.5
) -> bool:
    """True when the note is clearly (not merely possibly) in another language."""
    return detected != expected and probability >= threshold


def too_long(duration_seconds: float, max_seconds: int) -> bool:
    """Longer than the deployment transcribes (a duration of 0 is unknown: measured later)."""
    return duration_seconds > max_seconds
