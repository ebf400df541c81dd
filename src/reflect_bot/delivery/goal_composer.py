"""The "goal" composer: the goals a clinician asked to have back on this local date, each
with "I tried it" / "Not yet". Nothing (skipped) when they were closed or moved meanwhile."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.models import Clinician, Delivery
from reflect_bot.db.repositories import goals
from reflect_bot.delivery.outgoing import Outgoing
from reflect_bot.domain.goals import FOLLOW_UP_KIND
from reflect_bot.domain.timezones import resolve
from reflect_bot.services import Services
from reflect_bot.ui import goals as ui

KIND = FOLLOW_UP_KIND


async def compose_follow_up(
    session: AsyncSession,
    services: Services,
    clinician: Clinician,
    delivery: Delivery,
    *,
    batch: Sequence[Delivery],
) -> list[Outgoing] | None:
    """One message per goal due back on the delivery's local date (protected: their words)."""
    if clinician.id is None or clinician.timezone is None:
        return None
    zone = resolve(clinician.timezone)
    due = await goals.due_on(session, clinician_id=clinician.id, local_date=delivery.local_date)
    messages = []
    for goal in due:
        assert goal.id is not None
        text, keyboard = ui.follow_up(
            goal.id, goal.text, goal.program_title, goal.created_at.astimezone(zone).date()
        )
        messages.append(Outgoing(text=text, keyboard=keyboard, protect=True))
    return messages or None
