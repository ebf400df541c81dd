"""What /search shows: the reflections closest in meaning, each a number to open it."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.search import Found
from reflect_bot.ui import texts
from reflect_bot.ui.callbacks import OpenReflection

#: The query is quoted back at most this long.
QUERY_SHOWN = 80


def _quoted(query: str) -> str:
    query = " ".join(query.split())
    if len(query) > QUERY_SHOWN:
        query = query[: QUERY_SHOWN - 1] + "…"
    return html.escape(query)


def nothing_found(query: str) -> str:
    return texts.SEARCH_NOTHING.format(query=_quoted(query))


def results(query: str, found: Sequence[Found], zone: tzinfo) -> tuple[str, InlineKeyboardMarkup]:
    """The matches, best first: date, program and the sentence that matched, escaped."""
    lines = [texts.SEARCH_HEADER.format(query=_quoted(query))]
    for number, match in enumerate(found, start=1):
        local = match.started_at.astimezone(zone)
        date = texts.SEARCH_WHEN.format(
            weekday=texts.DAY_NAMES[local.weekday()],
            day=local.day,
            month=texts.MONTH_NAMES[local.month - 1],
            year=local.year,
        )
        lines.append(
            texts.SEARCH_LINE.format(
                number=number,
                date=date,
                title=html.escape(match.program_title),
                excerpt=html.escape(match.excerpt),
            )
        )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    str(number), callback_data=OpenReflection(match.reflection_id).encode()
                )
                for number, match in enumerate(found, start=1)
            ]
        ]
    )
    return "\n\n".join(lines), keyboard
