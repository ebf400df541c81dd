"""Voice notes and audio files as answers (issue #22): queue, then Save / Edit / Discard.

The bot only downloads the note into memory and queues it, encrypted, in one transaction
(flows/voice.py), then says "Transcribing…" at once; it never imports the speech engine.
`reflect-bot transcriber` (its own process) shows what it heard with the buttons handled here.
Callback data: `reflect_bot.ui.callbacks` (the `vc:` family).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Audio, CallbackQuery, Message, Update, Voice
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters
from telegram.warnings import PTBDeprecationWarning

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import privacy, reflections
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.bot.preamble import for_button, for_clinician
from reflect_bot.db.engine import finish_held_before_waiting
from reflect_bot.db.models import Clinician
from reflect_bot.domain.transcription import too_long
from reflect_bot.flows import voice as flows
from reflect_bot.flows.reflections import Saved
from reflect_bot.ui import texts
from reflect_bot.ui import voice as ui
from reflect_bot.ui.callback_data import pattern
from reflect_bot.ui.callbacks import VOICE, TranscriptAction, decode_voice

log = logging.getLogger(__name__)


def _cid(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


def _seconds(media: Voice | Audio) -> int:
    # PTB 22 gives whole seconds (warning that a timedelta is coming), or a timedelta where
    # PTB_TIMEDELTA is set: both are read, and the warning is not news to this handler.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        duration = media.duration
    return int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)


def _spoken(message: Message) -> tuple[str, int] | None:
    """(file id, duration in seconds) of a voice note or audio file; None for anything else.
    A document's duration is unknown (0) here: the transcriber measures it."""
    if message.voice is not None:
        return message.voice.file_id, _seconds(message.voice)
    if message.audio is not None:
        return message.audio.file_id, _seconds(message.audio)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("audio/"):
        return document.file_id, 0
    return None


@for_clinician
async def voice_note(update: Update, context: ReflectContext, clinician: Clinician) -> None:
    """A voice note or audio file: "Transcribing…" once it is queued (encrypted)."""
    message = update.effective_message
    spoken = None if message is None else _spoken(message)
    if message is None or spoken is None or update.effective_chat is None:
        return
    file_id, duration = spoken
    services = services_of(context)
    limit = services.settings.speech_max_seconds
    if too_long(duration, limit):
        await reply(update, context, ui.too_long(limit))
        return
    await finish_held_before_waiting()  # on SQLite, others may write while Telegram sends it
    try:
        file = await context.bot.get_file(file_id)
        audio = bytes(await file.download_as_bytearray())
    except TelegramError as exc:  # e.g. over the 20 MB Bot API download limit
        log.info("could not download a voice note: %s", type(exc).__name__)
        await reply(update, context, ui.failed("unreadable", max_seconds=limit))
        return
    try:
        outcome = await flows.queue(
            services.sessions,
            services.catalog,
            services.clock,
            clinician_id=_cid(clinician),
            chat_id=update.effective_chat.id,
            audio=audio,
            duration_seconds=duration,
            max_seconds=limit,
        )
    except SQLAlchemyError as exc:
        log.warning("a voice note could not be queued: %s", type(exc).__name__)
        await reply(update, context, texts.ANSWER_NOT_SAVED)
        return
    if isinstance(outcome, flows.NotForThisStep):
        # Nothing was stored: "text only", and the question with its buttons again.
        await reflections.repeat_after_non_text(update, context, clinician)
        return
    if isinstance(outcome, flows.TooLong):
        await reply(update, context, ui.too_long(outcome.max_seconds))
        return
    await reply(
        update, context, texts.TRANSCRIBING_SLOW if outcome.may_take_a_while else texts.TRANSCRIBING
    )


async def _mark(query: CallbackQuery, mark: str) -> None:
    """Takes the buttons off the transcript message and says what became of it."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(
            (message.text_html or "") + mark, parse_mode=ParseMode.HTML, reply_markup=None
        )
    except TelegramError as exc:  # too old to edit: what matters is already stored
        log.info("could not mark the transcript: %s", type(exc).__name__)


@for_button
async def button(update: Update, context: ReflectContext, query: CallbackQuery, data: str) -> None:
    """Save, Edit, Discard or add-to-check-in under a transcript; stale or foreign presses
    change nothing."""
    pressed = decode_voice(data)
    try:
        clinician = await current_clinician(update, context)
    except SQLAlchemyError:
        await query.answer()
        await reply(update, context, texts.ANSWER_NOT_SAVED)
        return
    if clinician is None or pressed is None:
        await query.answer(texts.STALE_BUTTON)
        return
    decide = _DECISIONS[pressed.action]
    try:
        await decide(update, context, query, clinician, pressed.job_id)
    except SQLAlchemyError as exc:
        log.warning("a transcript decision could not be stored: %s", type(exc).__name__)
        await reply(update, context, texts.ANSWER_NOT_SAVED)


async def _save(
    update: Update, context: ReflectContext, query: CallbackQuery, clinician: Clinician, job: int
) -> None:
    services = services_of(context)
    saved = await flows.save(
        services.sessions,
        services.catalog,
        services.clock,
        clinician_id=_cid(clinician),
        job_id=job,
    )
    if isinstance(saved, flows.Gone):
        await query.answer(texts.TRANSCRIPT_GONE)
        return
    await query.answer()
    outcome = saved.outcome
    if not isinstance(outcome, Saved):
        await _mark(query, "")
        await reply(update, context, ui.moved_on(saved.text))
        return
    await _mark(query, texts.TRANSCRIPT_SAVED_MARK)
    # Stored as heard and confirmed; the identifying-details check as for typed text.
    await privacy.check_answer(
        update,
        context,
        clinician,
        reflection_id=outcome.reflection_id,
        step_id=outcome.step.id,
        text=saved.text,
    )
    await reflections.say_next(update, context, outcome.then)


async def _edit(
    update: Update, context: ReflectContext, query: CallbackQuery, clinician: Clinician, job: int
) -> None:
    edited = await flows.edit(
        services_of(context).sessions, clinician_id=_cid(clinician), job_id=job
    )
    if isinstance(edited, flows.Gone):
        await query.answer(texts.TRANSCRIPT_GONE)
        return
    await query.answer()
    await _mark(query, texts.TRANSCRIPT_EDITING_MARK)
    await reply(update, context, ui.to_edit(edited.text, for_step=edited.for_step))


async def _discard(
    update: Update, context: ReflectContext, query: CallbackQuery, clinician: Clinician, job: int
) -> None:
    discarded = await flows.discard(
        services_of(context).sessions, clinician_id=_cid(clinician), job_id=job
    )
    if isinstance(discarded, flows.Gone):
        await query.answer(texts.TRANSCRIPT_GONE)
        return
    await query.answer()
    await _mark(query, "")
    await reply(update, context, texts.TRANSCRIPT_DISCARDED)


async def _to_checkin(
    update: Update, context: ReflectContext, query: CallbackQuery, clinician: Clinician, job: int
) -> None:
    services = services_of(context)
    added = await flows.add_to_checkin(
        services.sessions,
        services.catalog,
        services.clock,
        clinician_id=_cid(clinician),
        job_id=job,
    )
    if isinstance(added, flows.Gone):
        await query.answer(texts.TRANSCRIPT_GONE)
        return
    await query.answer()
    if isinstance(added, flows.NoRecentCheckin):
        await reply(update, context, texts.NO_RECENT_CHECKIN)
        return
    await _mark(query, texts.TRANSCRIPT_ADDED_MARK)
    await reply(update, context, ui.added_to_checkin(added.title))
    await privacy.check_answer(
        update,
        context,
        clinician,
        reflection_id=added.reflection_id,
        step_id=added.step_id,
        text=added.text,
    )


Decision = Callable[
    [Update, ReflectContext, CallbackQuery, Clinician, int], Coroutine[Any, Any, None]
]
_DECISIONS: dict[TranscriptAction, Decision] = {
    TranscriptAction.SAVE: _save,
    TranscriptAction.EDIT: _edit,
    TranscriptAction.DISCARD: _discard,
    TranscriptAction.CHECKIN_NOTE: _to_checkin,
}


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    spoken = filters.VOICE | filters.AUDIO | filters.Document.AUDIO
    return [
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & spoken, voice_note),
        CallbackQueryHandler(button, pattern=pattern(VOICE)),
    ]
