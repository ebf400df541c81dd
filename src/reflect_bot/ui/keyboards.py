"""Onboarding's buttons: consent, and the common time zones (typed data in ui/callbacks.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from reflect_bot.domain.timezones import COMMON_ZONES
from reflect_bot.ui import callbacks as cb
from reflect_bot.ui import texts


def consent() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.CONSENT_BUTTON, callback_data=cb.CONSENT)]]
    )


def timezones() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            zone.rsplit("/", 1)[-1].replace("_", " "),
            callback_data=cb.ChooseTimeZone(zone).encode(),
        )
        for zone in COMMON_ZONES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])
