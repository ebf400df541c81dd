"""What a scheduled delivery turns into: messages composed per delivery kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from reflect_bot.db.models import Clinician, Delivery
from reflect_bot.services import Services


@dataclass(frozen=True)
class Outgoing:
    """One message to send: Telegram HTML text, or a photo with an HTML caption."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    photo: bytes | None = None
    protect: bool = False  # protect_content: reflection content must not be forwarded


# Given the delivery's clinician and row, returns the messages to send, or None to skip it
# (e.g. the program was already completed today). Registered per Delivery.kind.
Composer = Callable[[AsyncSession, Services, Clinician, Delivery], Awaitable[list[Outgoing] | None]]
