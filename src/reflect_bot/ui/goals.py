"""What a clinician reads and presses about learning goals: the follow-up offer, the follow-up
itself, keep / change / close, and /goals. Their goal is their words: always escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.goals import FOLLOW_UP_WEEKS, NO_FOLLOW_UP
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import (
    AnswerFollowUp,
    ChooseFollowUp,
    DecideGoal,
    GoalDecision,
)

Screen = tuple[str, InlineKeyboardMarkup]


def day(on: date) -> str:
    """A date as "Mon 9 Nov"."""
    return texts.GOAL_DAY.format(
        weekday=texts.DAY_NAMES[on.weekday()], day=on.day, month=texts.MONTH_NAMES[on.month - 1]
    )


def _follow_up_choices(goal_id: int) -> InlineKeyboardMarkup:
    weeks = [
        InlineKeyboardButton(
            texts.GOAL_IN_WEEKS.format(weeks=count, plural="" if count == 1 else "s"),
            callback_data=ChooseFollowUp(goal_id, count).encode(),
        )
        for count in FOLLOW_UP_WEEKS
    ]
    never = InlineKeyboardButton(
        texts.GOAL_NO_FOLLOW_UP, callback_data=ChooseFollowUp(goal_id, NO_FOLLOW_UP).encode()
    )
    return InlineKeyboardMarkup([weeks, [never]])


def offer(goal_id: int, text: str) -> Screen:
    """Right after a reflection: the goal in their words, and when it should come back."""
    return texts.GOAL_OFFER.format(text=html.escape(text)), _follow_up_choices(goal_id)


def when_again(goal_id: int, text: str) -> Screen:
    """After keeping or rewording a goal: when should it come back?"""
    return texts.GOAL_WHEN_AGAIN.format(text=html.escape(text)), _follow_up_choices(goal_id)


def follow_up_set(on: date | None) -> str:
    return (
        texts.GOAL_NO_FOLLOW_UP_SET if on is None else texts.GOAL_FOLLOW_UP_SET.format(day=day(on))
    )


def follow_up(goal_id: int, text: str, title: str, set_on: date) -> Screen:
    """The follow-up itself, on the day it was asked for."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.GOAL_TRIED_BUTTON, callback_data=AnswerFollowUp(goal_id, True).encode()
                ),
                InlineKeyboardButton(
                    texts.GOAL_NOT_YET_BUTTON,
                    callback_data=AnswerFollowUp(goal_id, False).encode(),
                ),
            ]
        ]
    )
    said = texts.GOAL_FOLLOW_UP.format(
        set_on=day(set_on), title=html.escape(title), text=html.escape(text)
    )
    return said, keyboard


def what_happened(tried: bool) -> str:
    return texts.GOAL_WHAT_HAPPENED if tried else texts.GOAL_WHAT_GOT_IN_THE_WAY


def decide(check_in_id: int) -> Screen:
    labels = (
        (texts.GOAL_KEEP_BUTTON, GoalDecision.KEEP),
        (texts.GOAL_CHANGE_BUTTON, GoalDecision.CHANGE),
        (texts.GOAL_CLOSE_BUTTON, GoalDecision.CLOSE),
    )
    row = [
        InlineKeyboardButton(label, callback_data=DecideGoal(check_in_id, decision).encode())
        for label, decision in labels
    ]
    return texts.GOAL_CHECK_IN_SAVED, InlineKeyboardMarkup([row])


def open_goals(
    listed: Sequence[tuple[int, str, str, date, date | None, bool]],
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/goals: (goal id, text, program title, set on, next follow-up, overdue) per open goal;
    a goal whose follow-up passed unanswered can be brought back in a week."""
    if not listed:
        return texts.GOALS_NONE, None
    lines = [texts.GOALS_HEADER]
    again = []
    for number, (goal_id, text, title, set_on, next_on, overdue) in enumerate(listed, start=1):
        if next_on is None:
            following = texts.GOALS_NO_NEXT
        elif overdue:
            following = texts.GOALS_OVERDUE.format(day=day(next_on))
            again.append(
                InlineKeyboardButton(
                    texts.GOALS_AGAIN_BUTTON.format(number=number),
                    callback_data=ChooseFollowUp(goal_id, 1).encode(),
                )
            )
        else:
            following = texts.GOALS_NEXT.format(day=day(next_on))
        lines.append(
            texts.GOALS_LINE.format(
                number=number,
                text=html.escape(text),
                title=html.escape(title),
                set_on=day(set_on),
                next=following,
            )
        )
    keyboard = InlineKeyboardMarkup([[button] for button in again]) if again else None
    return "\n\n".join(lines), keyboard
