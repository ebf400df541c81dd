"""Inline keyboards. Callback data is "<family>:<args>" and always stays within 64 bytes."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.timezones import COMMON_ZONES
from reflect_bot.ui import texts

CONSENT = "consent"
TIMEZONE_PREFIX = "tz:"


def consent() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.CONSENT_BUTTON, callback_data=CONSENT)]]
    )


def timezones() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            zone.rsplit("/", 1)[-1].replace("_", " "), callback_data=TIMEZONE_PREFIX + zone
        )
        for zone in COMMON_ZONES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])
