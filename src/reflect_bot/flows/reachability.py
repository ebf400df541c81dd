"""A clinician who blocked the bot gets nothing more until they turn prompts back on (/resume).

Two things tell us they blocked it: a send answered with 403 (sender.py), and Telegram's
my_chat_member update, which comes at once (bot/handlers/membership.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reflect_bot.db.repositories import deliveries, schedules

log = logging.getLogger(__name__)


async def stop_reaching(session: AsyncSession, *, clinician_id: int, now: datetime) -> None:
    """Marks the clinician unreachable and stops their schedules.

    Their prompts planned from now on are forgotten, not skipped: /resume plans them afresh,
    and planning never adds a second row for a day that already has one. Overdue ones are
    skipped by the sender, which sends nothing to an unreachable clinician.
    """
    await schedules.set_reachable(session, clinician_id=clinician_id, reachable=False, now=now)
    await schedules.set_active_all(session, clinician_id=clinician_id, active=False, now=now)
    await deliveries.delete_pending_from(session, clinician_id=clinician_id, since=now)
    log.info("clinician %s blocked the bot; their schedules are stopped", clinician_id)
