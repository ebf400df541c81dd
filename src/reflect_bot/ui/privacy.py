"""What /forget and the identifying-details notice say, and the buttons they offer.

Every button names the id it acts on; the handler checks it against the pressing clinician.
The details found in an answer are named by kind only: the words that matched never are.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.identifying import IdentifyingKind
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import ConfirmForget, KeepAnswer, KeepEverything, ReplaceAnswer


def forget_question(*, reflections: int, answers: int, schedules: int, digests: int) -> str:
    """What /forget would erase, in counts, with the offer to /export first."""
    said = texts.FORGET_CONFIRM.format(
        reflections=reflections,
        answers=texts.answers(answers),
        schedules=schedules,
        digests=digests,
    )
    return said + texts.FORGET_ALSO  # goals, supervision and sharing go too


def forget_keyboard(clinician_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.FORGET_BUTTON, callback_data=ConfirmForget(clinician_id).encode()
                )
            ],
            [InlineKeyboardButton(texts.KEEP_BUTTON, callback_data=KeepEverything().encode())],
        ]
    )


def describe(kinds: Sequence[IdentifyingKind]) -> str:
    """ "an email address and a phone number"."""
    names = [texts.IDENTIFYING_KINDS[kind.value] for kind in kinds]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def identifying_notice(kinds: Sequence[IdentifyingKind]) -> str:
    return texts.IDENTIFYING_FOUND.format(found=describe(kinds))


def replacement_keyboard(answer_id: int) -> InlineKeyboardMarkup:
    """Replace the answer, or keep it as it was sent."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.REPLACE_ANSWER_BUTTON, callback_data=ReplaceAnswer(answer_id).encode()
                ),
                InlineKeyboardButton(
                    texts.KEEP_ANSWER_BUTTON, callback_data=KeepAnswer(answer_id).encode()
                ),
            ]
        ]
    )


# --------------------------------------------------------------------------- kept as written

#: At most this many kept answers are listed (with a button each) in one message.
FLAGGED_LISTED = 10
_QUESTION_SHOWN = 80  # characters of the question quoted in the list


class FlaggedAnswer(NamedTuple):
    """An answer the identifying-details check flagged that was kept as written: where it
    is, never what it says."""

    answer_id: int
    date: str  # the reflection's local date, as the clinician reads it
    title: str  # the program's title
    question: str  # the question as it was asked


def flagged_notice(
    flagged: Sequence[FlaggedAnswer], *, before_export: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The kept answers by date, program and question, each with a Replace button (before
    an export, or under a reflection opened in /journal)."""
    listed = flagged[:FLAGGED_LISTED]
    lines = [
        texts.FLAGGED_ENTRY.format(
            number=number,
            date=html.escape(item.date),
            title=html.escape(item.title),
            question=html.escape(_shortened(item.question)),
        )
        for number, item in enumerate(listed, start=1)
    ]
    if len(flagged) > len(listed):
        lines.append(texts.FLAGGED_MORE.format(count=len(flagged) - len(listed)))
    template = texts.FLAGGED_BEFORE_EXPORT if before_export else texts.FLAGGED_IN_JOURNAL
    text = template.format(
        answers=texts.answers(len(flagged)),
        entries="\n".join(lines),
        **texts.flagged_were(len(flagged)),
    )
    buttons = [
        InlineKeyboardButton(
            texts.FLAGGED_REPLACE_BUTTON.format(number=number),
            callback_data=ReplaceAnswer(item.answer_id).encode(),
        )
        for number, item in enumerate(listed, start=1)
    ]
    rows = [buttons[start : start + 5] for start in range(0, len(buttons), 5)]
    return text, InlineKeyboardMarkup(rows)


def _shortened(question: str) -> str:
    if len(question) <= _QUESTION_SHOWN:
        return question
    return question[: _QUESTION_SHOWN - 1].rstrip() + "…"
