"""What /forget and the identifying-details notice say, and the buttons they offer.

Every button names the id it acts on; the handler checks it against the pressing clinician.
The details found in an answer are named by kind only: the words that matched never are.
"""

from __future__ import annotations

from collections.abc import Sequence

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
