"""/journal: recent reflections page by page, one opened in full, and edits of sent answers.

Journal messages echo what the clinician wrote, so they are sent with protect_content, every
answer is HTML-escaped, and a long reflection is split so each message stays within
Telegram's 4,096 characters after parsing.

Callback data: jr:p:<offset> (a page), jr:o:<reflection> (open one).
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from reflect_bot.bot.context import ReflectContext, services_of
from reflect_bot.bot.handlers import privacy, reflections
from reflect_bot.bot.messaging import current_clinician, reply
from reflect_bot.catalog import Program, Step
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Clinician, Reflection
from reflect_bot.db.repositories import reflections as store
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind, ReadAnswer, ReflectionStatus
from reflect_bot.domain.timezones import resolve
from reflect_bot.ui import texts

log = logging.getLogger(__name__)

PREFIX = "jr"
PAGE_SIZE = 5
#: Telegram's limit counts characters after parsing; counting UTF-16 units (never fewer than
#: characters) keeps us inside it whichever way it is counted.
MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")


# --------------------------------------------------------------------------- helpers


def _cid(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


def _zone(clinician: Clinician) -> tzinfo:
    return resolve(clinician.timezone) if clinician.timezone else UTC


def _when(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _status(reflection: Reflection) -> str:
    if reflection.status == ReflectionStatus.IN_PROGRESS:
        return texts.JOURNAL_IN_PROGRESS
    if reflection.status == ReflectionStatus.INCOMPLETE:
        return texts.JOURNAL_UNFINISHED
    return ""


def _size(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def visible_size(markup: str) -> int:
    """The length Telegram sees after parsing HTML we built (all typed text was escaped)."""
    return _size(html.unescape(_TAG.sub("", markup)))


def split_text(text: str, limit: int) -> list[str]:
    """Cuts text into pieces of at most `limit` UTF-16 units, at a line or space if near.

    Joined back together the pieces are exactly the original text.
    """
    pieces: list[str] = []
    while _size(text) > limit:
        cut = min(len(text), limit)
        while _size(text[:cut]) > limit:
            cut -= 1
        gap = max(text.rfind("\n", cut - 200, cut), text.rfind(" ", cut - 200, cut))
        if gap > 0:
            cut = gap + 1
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def pack(blocks: list[str], *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Joins HTML blocks (each within `limit`) into as few messages as fit."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        joined = f"{current}\n\n{block}" if current else block
        if current and visible_size(joined) > limit:
            messages.append(current)
            current = block
        else:
            current = joined
    if current:
        messages.append(current)
    # A message of nothing but spaces would be refused as empty.
    return [m for m in messages if html.unescape(_TAG.sub("", m)).strip()]


def answer_blocks(
    question: str, answer: str, *, edited: bool, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """A question and its answer as HTML blocks, the answer split when too long for one."""
    heading = texts.JOURNAL_ENTRY_ANSWER.format(question=html.escape(question), answer="")
    mark = texts.JOURNAL_ENTRY_EDITED if edited else ""
    room = limit - visible_size(heading) - visible_size(mark)
    pieces = split_text(answer, room)
    blocks = [heading + html.escape(pieces[0]) + mark]
    blocks += [html.escape(piece) for piece in pieces[1:]]
    return blocks


# --------------------------------------------------------------------------- the list


@dataclass
class Page:
    text: str
    keyboard: InlineKeyboardMarkup | None


async def _page(session: AsyncSession, clinician: Clinician, offset: int) -> Page:
    rows, total = await store.journal_page(
        session, clinician_id=_cid(clinician), offset=offset, limit=PAGE_SIZE
    )
    if not rows and offset > 0:  # the journal shrank (e.g. /forget elsewhere): go to the start
        offset = 0
        rows, total = await store.journal_page(
            session, clinician_id=_cid(clinician), offset=0, limit=PAGE_SIZE
        )
    if not rows:
        return Page(texts.JOURNAL_EMPTY, None)
    previews = await store.first_written_answers(
        session, reflection_ids=[r.id for r in rows if r.id is not None]
    )
    zone = _zone(clinician)
    lines = [texts.JOURNAL_HEADER.format(first=offset + 1, last=offset + len(rows), total=total)]
    numbers: list[InlineKeyboardButton] = []
    for number, reflection in enumerate(rows, start=offset + 1):
        line = texts.JOURNAL_LINE.format(
            number=number,
            date=_when(reflection.started_at, zone),
            title=html.escape(reflection.program_title),
            status=_status(reflection),
        )
        preview = previews.get(reflection.id or 0)
        if preview:
            line += texts.JOURNAL_PREVIEW.format(
                preview=html.escape(journaling.first_line(preview))
            )
        lines.append(line)
        numbers.append(
            InlineKeyboardButton(str(number), callback_data=f"{PREFIX}:o:{reflection.id}")
        )
    navigation: list[InlineKeyboardButton] = []
    if offset > 0:
        navigation.append(
            InlineKeyboardButton(
                texts.JOURNAL_NEWER, callback_data=f"{PREFIX}:p:{max(0, offset - PAGE_SIZE)}"
            )
        )
    if offset + len(rows) < total:
        navigation.append(
            InlineKeyboardButton(
                texts.JOURNAL_OLDER, callback_data=f"{PREFIX}:p:{offset + PAGE_SIZE}"
            )
        )
    keyboard = InlineKeyboardMarkup([numbers, navigation] if navigation else [numbers])
    return Page("\n\n".join(lines), keyboard)


async def journal(update: Update, context: ReflectContext) -> None:
    """/journal: the newest reflections, five to a page."""
    clinician = await current_clinician(update, context)
    if clinician is None:
        await reply(update, context, texts.NEEDS_START)
        return
    async with transaction(services_of(context).sessions) as session:
        page = await _page(session, clinician, 0)
    await reply(update, context, page.text, keyboard=page.keyboard, protect=True)


# --------------------------------------------------------------------------- one reflection


async def _entry(
    session: AsyncSession, context: ReflectContext, clinician: Clinician, reflection: Reflection
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    catalog = services_of(context).catalog
    program = catalog.programs.get(reflection.program_id)
    given = await store.answers_of(session, reflection_id=reflection.id or 0)
    header = texts.JOURNAL_ENTRY.format(
        title=html.escape(reflection.program_title),
        date=_when(reflection.started_at, _zone(clinician)),
        status=_status(reflection),
    )
    if reflection.seconds_spent:
        minutes = texts.minutes(journaling.cpd_minutes(reflection.seconds_spent))
        header += texts.JOURNAL_ENTRY_MINUTES.format(minutes=minutes)
    blocks = [header]
    for answer in given:
        step = _step(program, answer.step_id)
        if answer.kind == AnswerKind.CHOICE and answer.choice_label:
            value = answer.choice_label  # the label as it was asked, even if content changed
        else:
            value = reflections.shown_value(step, answer)
        blocks += answer_blocks(answer.question, value, edited=answer.edited_at is not None)
    if not given:
        blocks.append(texts.JOURNAL_ENTRY_NO_ANSWERS)
    now = services_of(context).clock.now()
    keyboard = None
    resumable = journaling.can_resume(reflection.status, reflection.last_activity_at, now)
    if reflection.status == ReflectionStatus.IN_PROGRESS or resumable:
        label = texts.JOURNAL_CARRY_ON_BUTTON if not resumable else texts.RESUME_BUTTON
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        label, callback_data=reflections.resume_data(reflection.id or 0)
                    )
                ]
            ]
        )
    return pack(blocks), keyboard


def _step(program: Program | None, step_id: str) -> Step | None:
    if program is None:
        return None
    try:
        return program.step(step_id)
    except KeyError:
        return None


async def journal_button(update: Update, context: ReflectContext) -> None:
    """jr: buttons: turn a page, or open one reflection. Foreign ids show nothing."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    clinician = await current_clinician(update, context)
    _, _, rest = query.data.partition(":")
    action, _, argument = rest.partition(":")
    if clinician is None or not argument.isdecimal() or action not in ("p", "o"):
        await query.answer(texts.STALE_BUTTON)
        return
    number = int(argument)
    if action == "p":
        async with transaction(services_of(context).sessions) as session:
            page = await _page(session, clinician, number)
        await query.answer()
        if isinstance(query.message, Message):
            try:
                await query.message.edit_text(
                    page.text, parse_mode=ParseMode.HTML, reply_markup=page.keyboard
                )
            except BadRequest as exc:  # "message is not modified": pressed twice
                log.info("journal page not changed: %s", type(exc).__name__)
        return
    messages: list[str] = []
    keyboard: InlineKeyboardMarkup | None = None
    async with transaction(services_of(context).sessions) as session:
        reflection = await store.get_owned(
            session, reflection_id=number, clinician_id=_cid(clinician)
        )
        if reflection is not None and reflection.status != ReflectionStatus.DISCARDED:
            messages, keyboard = await _entry(session, context, clinician, reflection)
    if not messages:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    for position, text in enumerate(messages, start=1):
        last = position == len(messages)
        await reply(update, context, text, keyboard=keyboard if last else None, protect=True)


# --------------------------------------------------------------------------- edits


async def answer_edited(update: Update, context: ReflectContext) -> None:
    """An edited answer message updates the stored answer; the earlier version is kept."""
    message = update.edited_message
    if message is None or message.text is None:
        return
    clinician = await current_clinician(update, context)
    if clinician is None:
        return
    services = services_of(context)
    edited = message.text
    try:
        async with transaction(services.sessions) as session:
            answer = await store.answer_for_message(
                session, clinician_id=_cid(clinician), telegram_message_id=message.message_id
            )
            notice = None if answer is None else await _revise(session, context, answer, edited)
    except SQLAlchemyError as exc:
        log.warning("an edit could not be stored: %s", type(exc).__name__)
        await reply(update, context, texts.EDIT_NOT_SAVED)
        return
    if notice is not None:
        await reply(update, context, notice)
    if answer is not None and answer.kind == AnswerKind.TEXT:
        # An edit is an answer too: if it now seems to identify a client, say so gently.
        await privacy.check_answer(
            update,
            context,
            clinician,
            reflection_id=answer.reflection_id,
            step_id=answer.step_id,
            text=edited,
        )


async def _revise(
    session: AsyncSession, context: ReflectContext, answer: Answer, edited: str
) -> str | None:
    """Stores the edit; returns what to tell the clinician (None: nothing changed)."""
    reflection = await session.get(Reflection, answer.reflection_id)
    program = services_of(context).catalog.programs.get(reflection.program_id if reflection else "")
    step = _step(program, answer.step_id)
    revised: ReadAnswer | None
    if answer.kind == AnswerKind.TEXT:
        revised = (
            ReadAnswer(answer.step_id, AnswerKind.TEXT, text=edited) if edited.strip() else None
        )
    elif step is not None and answer.kind in (AnswerKind.RATING, AnswerKind.CHOICE):
        revised = journaling.read_typed_answer(step, edited)
    else:
        revised = None
    if revised is None:
        return texts.EDIT_NOT_UNDERSTOOD
    if (revised.text, revised.rating, revised.choice) == (
        answer.text,
        answer.rating,
        answer.choice,
    ):
        return None
    previous = (
        answer.text if answer.kind == AnswerKind.TEXT else reflections.shown_value(step, answer)
    )
    label = step.option(revised.choice).label if step is not None and revised.choice else None
    await store.revise_answer(
        session,
        answer=answer,
        revised=revised,
        previous_as_text=previous,
        choice_label=label,
        now=services_of(context).clock.now(),
    )
    return texts.ANSWER_UPDATED


def handlers() -> list[BaseHandler[Update, ReflectContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("journal", journal, filters=private & filters.UpdateType.MESSAGE),
        CallbackQueryHandler(journal_button, pattern=f"^{PREFIX}:"),
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, answer_edited),
    ]
