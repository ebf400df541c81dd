"""What a voice note's transcript looks like in chat, and the buttons that decide its fate.

The transcript is the clinician's own words: always HTML-escaped, and cut to fit one message.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import TranscriptAction, TranscriptPress

# Room left in a 4096-character message for the words around the transcript.
MAX_SHOWN = 3500


def _shown(text: str) -> str:
    cut = text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
    return html.escape(cut)


def heard(job_id: int, text: str, *, for_step: bool) -> tuple[str, InlineKeyboardMarkup]:
    """ "Here's what I heard" with Save / Edit / Discard; outside a reflection, an offer to
    add it to the latest check-in's note instead of Save."""

    def button(label: str, action: TranscriptAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=TranscriptPress(action, job_id).encode())

    row = [
        button(texts.EDIT_TRANSCRIPT_BUTTON, TranscriptAction.EDIT),
        button(texts.DISCARD_TRANSCRIPT_BUTTON, TranscriptAction.DISCARD),
    ]
    if for_step:
        row.insert(0, button(texts.SAVE_TRANSCRIPT_BUTTON, TranscriptAction.SAVE))
        return texts.HEARD.format(text=_shown(text)), InlineKeyboardMarkup([row])
    note = button(texts.CHECKIN_NOTE_BUTTON, TranscriptAction.CHECKIN_NOTE)
    return texts.HEARD_OUTSIDE.format(text=_shown(text)), InlineKeyboardMarkup([[note], row])


def failed(failure: str, *, max_seconds: int) -> str:
    """Why no transcript came, said kindly."""
    template = texts.TRANSCRIBE_FAILED.get(failure, texts.TRANSCRIBE_FAILED["gave_up"])
    return template.format(minutes=_minutes(max_seconds))


def too_long(max_seconds: int) -> str:
    return texts.VOICE_TOO_LONG.format(minutes=_minutes(max_seconds))


def to_edit(text: str, *, for_step: bool) -> str:
    template = texts.EDIT_TRANSCRIPT if for_step else texts.EDIT_TRANSCRIPT_OUTSIDE
    return template.format(text=_shown(text))


def moved_on(text: str) -> str:
    return texts.TRANSCRIPT_MOVED_ON.format(text=_shown(text))


def _minutes(seconds: int) -> str:
    minutes = seconds / 60
    return f"{minutes:g}" if minutes >= 1 else f"{minutes:.1f}"


def added_to_checkin(title: str) -> str:
    return texts.ADDED_TO_CHECKIN.format(title=html.escape(title))
