"""What clinicians and supervisors read and press about sharing: the invite, its preview,
the shared copy, comments, /shared with Withdraw buttons. Everyone's words are escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.export import StoredAnswer, StoredReflection
from reflect_bot.domain.journaling import AnswerKind
from reflect_bot.domain.supervision import SharedItem
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import AcceptInvite, EndLink, WithdrawShare
from reflect_bot.ui.goals import day
from reflect_bot.ui.journal import pack

Screen = tuple[str, InlineKeyboardMarkup]


def invite_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def invite(link: str) -> str:
    return texts.SUPERVISOR_INVITE.format(link=html.escape(link))


def end_keyboard(link_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.END_LINK_BUTTON, callback_data=EndLink(link_id).encode())]]
    )


def preview(name: str | None, code: str) -> Screen:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.ACCEPT_INVITE_BUTTON, callback_data=AcceptInvite(code).encode()
                )
            ]
        ]
    )
    return texts.INVITE_PREVIEW.format(name=html.escape(name or texts.INVITE_SOMEONE)), keyboard


def _value(answer: StoredAnswer) -> str:
    if answer.kind == AnswerKind.RATING and answer.rating is not None:
        return f"{answer.rating}/5"
    if answer.kind == AnswerKind.CHOICE:
        return html.escape(answer.choice_label or answer.choice or "")
    if answer.kind == AnswerKind.TEXT and answer.text:
        return html.escape(answer.text)
    return f"<i>{texts.SKIPPED_SHOWN}</i>"


def shared_copy(author: str | None, reflection: StoredReflection, zone: tzinfo) -> list[str]:
    """The supervisor's copy of one reflection, as messages within Telegram's limit."""
    header = texts.SHARED_COPY_HEADER.format(
        name=html.escape(author or texts.INVITE_SOMEONE),
        title=html.escape(reflection.program_title),
        day=day(reflection.started_at.astimezone(zone).date()),
    )
    blocks = [header]
    blocks += [
        f"<b>{html.escape(answer.question)}</b>\n{_value(answer)}" for answer in reflection.answers
    ]
    return pack(blocks)


def comment(title: str, on: str, text: str) -> str:
    return texts.SUPERVISOR_COMMENT.format(title=html.escape(title), day=on, text=html.escape(text))


def shared_list(
    items: Sequence[SharedItem], zone: tzinfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/shared: what was shared, each with a Withdraw button."""
    if not items:
        return texts.SHARED_NONE, None
    lines = [texts.SHARED_TITLE]
    buttons = []
    for number, item in enumerate(items, start=1):
        comments = (
            texts.SHARED_COMMENTS.format(
                count=item.comments, plural="" if item.comments == 1 else "s"
            )
            if item.comments
            else ""
        )
        lines.append(
            texts.SHARED_LINE.format(
                number=number,
                day=day(item.started_at.astimezone(zone).date()),
                title=html.escape(item.title),
                comments=comments,
            )
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    texts.WITHDRAW_BUTTON.format(number=number),
                    callback_data=WithdrawShare(item.shared_id).encode(),
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(buttons)
