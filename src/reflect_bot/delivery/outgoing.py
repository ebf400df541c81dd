"""What a scheduled delivery turns into: messages composed per delivery kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

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


class Composer(Protocol):
    """Turns one claimed delivery into its messages, or None to skip it (e.g. the program was
    already completed today).

    `session` is read-only and shared by the whole claimed `batch` (this delivery among
    them), so a composer can load what every row of its kind needs in one query.
    """

    async def __call__(
        self,
        session: AsyncSession,
        services: Services,
        clinician: Clinician,
        delivery: Delivery,
        *,
        batch: Sequence[Delivery],
    ) -> list[Outgoing] | None: ...


#: The composer of each `Delivery.kind`, chosen once at start-up (`delivery.composers`).
Composers = Mapping[str, Composer]
