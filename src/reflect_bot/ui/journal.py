"""What /journal shows: pages of reflections, one reflection in full, and their buttons.

Journal messages echo what the clinician wrote, so every answer is HTML-escaped here, and a
long reflection is split so each message stays within Telegram's 4,096 characters after
parsing. Dates are spelled with the words of `texts`, never the process's locale.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.catalog import Step
from reflect_bot.domain import journaling
from reflect_bot.domain.journaling import AnswerKind, GivenAnswer, ReflectionStatus
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import JournalPage, OpenReflection, ResumeReflection

#: Telegram's limit counts characters after parsing; counting UTF-16 units (never fewer than
#: characters) keeps us inside it whichever way it is counted.
MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")

#: How a rating, choice or skip reads back in plain text (the reflection family's words).
ShownValue = Callable[[Step | None, GivenAnswer], str]


class ListedReflection(Protocol):
    """One line of a journal page, as the journal flow lists it."""

    @property
    def reflection_id(self) -> int: ...
    @property
    def started(self) -> datetime: ...  # in the clinician's own time zone
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def preview(self) -> str | None: ...  # the first written answer, if any


class JournalAnswer(GivenAnswer, Protocol):
    """A stored answer as the journal shows it."""

    @property
    def question(self) -> str: ...
    @property
    def choice_label(self) -> str | None: ...
    @property
    def edited_at(self) -> datetime | None: ...


# --------------------------------------------------------------------------- words


def when(local: datetime) -> str:
    """ "Thu 5 Nov 14:30": day and month names from texts, whatever the locale."""
    return texts.JOURNAL_WHEN.format(
        weekday=texts.DAY_NAMES[local.weekday()],
        day=local.day,
        month=texts.MONTH_NAMES[local.month - 1],
        time=f"{local.hour:02d}:{local.minute:02d}",
    )


def status_mark(status: str) -> str:
    if status == ReflectionStatus.IN_PROGRESS:
        return texts.JOURNAL_IN_PROGRESS
    if status == ReflectionStatus.INCOMPLETE:
        return texts.JOURNAL_UNFINISHED
    return ""


# --------------------------------------------------------------------------- message sizes


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


# --------------------------------------------------------------------------- a page


def page(
    *, offset: int, size: int, total: int, listed: Sequence[ListedReflection]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the journal starting at `offset` (pages of `size`): a numbered line per
    reflection, a button per number, and Newer/Older when there is more."""
    if not listed:
        return texts.JOURNAL_EMPTY, None
    lines = [texts.JOURNAL_HEADER.format(first=offset + 1, last=offset + len(listed), total=total)]
    numbers: list[InlineKeyboardButton] = []
    for number, reflection in enumerate(listed, start=offset + 1):
        line = texts.JOURNAL_LINE.format(
            number=number,
            date=when(reflection.started),
            title=html.escape(reflection.title),
            status=status_mark(reflection.status),
        )
        if reflection.preview:
            line += texts.JOURNAL_PREVIEW.format(
                preview=html.escape(journaling.first_line(reflection.preview))
            )
        lines.append(line)
        numbers.append(
            InlineKeyboardButton(
                str(number), callback_data=OpenReflection(reflection.reflection_id).encode()
            )
        )
    navigation: list[InlineKeyboardButton] = []
    if offset > 0:
        newer = JournalPage(max(0, offset - size))
        navigation.append(InlineKeyboardButton(texts.JOURNAL_NEWER, callback_data=newer.encode()))
    if offset + len(listed) < total:
        older = JournalPage(offset + size)
        navigation.append(InlineKeyboardButton(texts.JOURNAL_OLDER, callback_data=older.encode()))
    keyboard = InlineKeyboardMarkup([numbers, navigation] if navigation else [numbers])
    return "\n\n".join(lines), keyboard


# --------------------------------------------------------------------------- one reflection


def entry(
    *,
    title: str,
    started: datetime,
    status: str,
    seconds_spent: int,
    answers: Sequence[tuple[Step | None, JournalAnswer]],
    shown: ShownValue,
    supervisor_comments: Sequence[str] = (),
) -> list[str]:
    """One reflection in full, as messages within Telegram's limit: its title, date and CPD
    minutes, then each question with its answer (`started` in the clinician's zone)."""
    header = texts.JOURNAL_ENTRY.format(
        title=html.escape(title), date=when(started), status=status_mark(status)
    )
    if seconds_spent:
        minutes = texts.minutes(journaling.cpd_minutes(seconds_spent))
        header += texts.JOURNAL_ENTRY_MINUTES.format(minutes=minutes)
    blocks = [header]
    for step, answer in answers:
        if answer.kind == AnswerKind.CHOICE and answer.choice_label:
            value = answer.choice_label  # the label as it was asked, even if content changed
        else:
            value = shown(step, answer)
        blocks += answer_blocks(answer.question, value, edited=answer.edited_at is not None)
    if not answers:
        blocks.append(texts.JOURNAL_ENTRY_NO_ANSWERS)
    for comment in supervisor_comments:  # the supervisor's words, split like long answers
        blocks += answer_blocks(texts.JOURNAL_SUPERVISOR_COMMENT, comment, edited=False)
    return pack(blocks)


def continue_keyboard(reflection_id: int, *, resumable: bool) -> InlineKeyboardMarkup:
    """ "Carry on" a reflection in progress, or "Resume" one set aside."""
    label = texts.RESUME_BUTTON if resumable else texts.JOURNAL_CARRY_ON_BUTTON
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=ResumeReflection(reflection_id).encode())]]
    )
