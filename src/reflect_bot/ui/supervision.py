"""What a clinician reads and presses about supervision: the brief as messages, "Take to
supervision", and logging a session. The brief quotes their words: always escaped."""

from __future__ import annotations

import html
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.digest import cut_cleanly
from reflect_bot.domain.supervision import SESSION_MINUTES, Brief, BriefItem, Rating
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import (
    ChooseSessionKind,
    LogSession,
    StartSessionLog,
)
from reflect_bot.ui.goals import day as short_day
from reflect_bot.ui.journal import pack

# A rating the brief cannot name (not one of the alliance's) shows its question, this short.
QUESTION_LIMIT = 60


def rating_name(rating: Rating) -> str:
    named = texts.DIGEST_ALLIANCE_NAMES.get(rating.step_id)
    return named or cut_cleanly(rating.question, QUESTION_LIMIT)


def _words(count: int) -> str:
    return texts.BRIEF_REFLECTION_WORDS[0 if count == 1 else 1]


def _item(item: BriefItem) -> str:
    lines = [
        texts.BRIEF_ITEM.format(day=short_day(item.day), title=html.escape(item.program_title))
    ]
    lines += [texts.BRIEF_SENTENCE.format(text=html.escape(s)) for s in item.sentences]
    if item.ratings:
        shown = ", ".join(
            texts.BRIEF_RATING.format(name=html.escape(rating_name(r)), rating=r.rating)
            for r in item.ratings
        )
        lines.append(texts.BRIEF_RATINGS.format(ratings=shown))
    if item.rupture:
        lines.append(texts.BRIEF_RUPTURE.format(rupture=html.escape(item.rupture)))
    return "\n".join(lines)


def brief_messages(brief: Brief) -> list[str]:
    """The brief as messages within Telegram's limit (one block per marked reflection)."""
    if brief.is_empty:
        if brief.since is not None:
            return [texts.BRIEF_EMPTY_SINCE.format(day=short_day(brief.since))]
        return [texts.BRIEF_EMPTY]
    title = texts.BRIEF_TITLE.format(count=len(brief.items), reflections=_words(len(brief.items)))
    if brief.since is not None:
        title += texts.BRIEF_SINCE.format(day=short_day(brief.since))
    return pack([title, *(_item(item) for item in brief.items), texts.BRIEF_ASK])


def log_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BRIEF_LOG_BUTTON, callback_data=StartSessionLog().encode())]]
    )


def kind_keyboard() -> tuple[str, InlineKeyboardMarkup]:
    row = [
        InlineKeyboardButton(label, callback_data=ChooseSessionKind(kind).encode())
        for kind, label in texts.SESSION_KINDS.items()
    ]
    return texts.SESSION_KIND_QUESTION, InlineKeyboardMarkup([row])


def minutes_keyboard(kind: str) -> tuple[str, InlineKeyboardMarkup]:
    row = [
        InlineKeyboardButton(
            texts.SESSION_MINUTES_BUTTON.format(minutes=minutes),
            callback_data=LogSession(kind, minutes).encode(),
        )
        for minutes in SESSION_MINUTES
    ]
    said = texts.SESSION_MINUTES_QUESTION.format(kind=texts.SESSION_KINDS[kind])
    return said, InlineKeyboardMarkup([row])


def logged(kind: str, minutes: int, cleared: int) -> str:
    cleared_text = (
        texts.SESSION_CLEARED.format(count=cleared, reflections=_words(cleared)) if cleared else ""
    )
    return texts.SESSION_LOGGED.format(
        kind=texts.SESSION_KINDS[kind], minutes=minutes, cleared=cleared_text
    )


def brief_filename(today: date) -> str:
    return f"supervision-brief-{today.isoformat()}.md"
