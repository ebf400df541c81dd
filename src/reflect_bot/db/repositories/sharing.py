"""Sharing with a supervisor: invite links (stored hashed, one-time, 24 h), the active link,
the reflections shared over it and the supervisor's comments.

Ending a link deletes it with everything shared over it (children first, explicitly, as
/forget does), after the caller has collected the messages to withdraw from Telegram.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.engine import mark_erased
from reflect_bot.db.models import (
    Clinician,
    Reflection,
    SharedReflection,
    SupervisorComment,
    SupervisorLink,
)
from reflect_bot.db.repositories.privacy import invite_hash, new_invite_code
from reflect_bot.db.statements import rowcount
from reflect_bot.domain.supervision import SharedItem

INVITED, ACTIVE = "invited", "active"


@dataclass(frozen=True)
class Withdrawal:
    """Messages in a supervisor's chat to take back, and when they were sent."""

    chat_id: int
    message_ids: tuple[int, ...]
    sent_at: datetime


def _message_ids(stored: str) -> tuple[int, ...]:
    return tuple(int(part) for part in stored.split(",") if part.isdigit())


def message_ids_text(ids: Sequence[int]) -> str:
    return ",".join(str(i) for i in ids)


async def create_invite(
    session: AsyncSession, *, clinician_id: int, now: datetime, expires_at: datetime
) -> str:
    """A fresh invite (any earlier unused one is dropped); returns its code, the only time
    it exists in the clear."""
    await session.execute(
        delete(SupervisorLink).where(
            col(SupervisorLink.clinician_id) == clinician_id, col(SupervisorLink.status) == INVITED
        )
    )
    code = new_invite_code()
    session.add(
        SupervisorLink(
            clinician_id=clinician_id,
            code_hash=invite_hash(code),
            invite_expires_at=expires_at,
            created_at=now,
        )
    )
    await session.flush()
    return code


async def active_link(session: AsyncSession, *, clinician_id: int) -> SupervisorLink | None:
    result = await session.execute(
        select(SupervisorLink).where(
            col(SupervisorLink.clinician_id) == clinician_id, col(SupervisorLink.status) == ACTIVE
        )
    )
    return result.scalars().first()


async def pending_invite(
    session: AsyncSession, *, code: str, now: datetime
) -> tuple[SupervisorLink, Clinician] | None:
    """The unused, unexpired invite with this code, and the clinician who made it."""
    result = await session.execute(
        select(SupervisorLink, Clinician)
        .join(Clinician, col(Clinician.id) == col(SupervisorLink.clinician_id))
        .where(
            col(SupervisorLink.code_hash) == invite_hash(code),
            col(SupervisorLink.status) == INVITED,
            col(SupervisorLink.invite_expires_at) > now,
        )
    )
    row = result.first()
    return None if row is None else (row[0], row[1])


async def accept(
    session: AsyncSession, *, link_id: int, supervisor_user_id: int, chat_id: int, now: datetime
) -> bool:
    """Makes the invite active for this supervisor, once: its code stops working."""
    result = await session.execute(
        update(SupervisorLink)
        .where(
            col(SupervisorLink.id) == link_id,
            col(SupervisorLink.status) == INVITED,
            col(SupervisorLink.invite_expires_at) > now,
        )
        .values(
            status=ACTIVE,
            code_hash=None,
            supervisor_user_id=supervisor_user_id,
            supervisor_chat_id=chat_id,
            accepted_at=now,
        )
    )
    return rowcount(result) > 0


async def links_involving(
    session: AsyncSession, *, clinician_id: int | None, telegram_user_id: int
) -> list[SupervisorLink]:
    """Every link where they are the clinician, or the supervisor."""
    conditions = [col(SupervisorLink.supervisor_user_id) == telegram_user_id]
    if clinician_id is not None:
        conditions.append(col(SupervisorLink.clinician_id) == clinician_id)
    result = await session.execute(select(SupervisorLink).where(or_(*conditions)))
    return list(result.scalars())


async def get_link(session: AsyncSession, *, link_id: int) -> SupervisorLink | None:
    return await session.get(SupervisorLink, link_id)


async def withdrawals(
    session: AsyncSession, *, link_ids: Collection[int] = (), shared_ids: Collection[int] = ()
) -> list[Withdrawal]:
    """The supervisor's copies of what was shared over these links (or these shares)."""
    if not link_ids and not shared_ids:
        return []
    result = await session.execute(
        select(
            col(SupervisorLink.supervisor_chat_id),
            col(SharedReflection.message_ids),
            col(SharedReflection.sent_at),
        )
        .join(SupervisorLink, col(SupervisorLink.id) == col(SharedReflection.link_id))
        .where(
            or_(
                col(SharedReflection.link_id).in_(link_ids),
                col(SharedReflection.id).in_(shared_ids),
            )
        )
    )
    return [
        Withdrawal(chat_id, _message_ids(ids), sent_at)
        for chat_id, ids, sent_at in result.all()
        if chat_id is not None
    ]


async def delete_shares(
    session: AsyncSession, *, link_ids: Collection[int] = (), shared_ids: Collection[int] = ()
) -> None:
    """Deletes shares (of these links, or these ones) with their comments."""
    shares = select(col(SharedReflection.id)).where(
        or_(col(SharedReflection.link_id).in_(link_ids), col(SharedReflection.id).in_(shared_ids))
    )
    await session.execute(
        delete(SupervisorComment).where(col(SupervisorComment.shared_id).in_(shares))
    )
    await session.execute(delete(SharedReflection).where(col(SharedReflection.id).in_(shares)))
    mark_erased(session)


async def delete_links(session: AsyncSession, *, link_ids: Collection[int]) -> None:
    """Ends links: what was shared over them and the supervisor's comments go too."""
    if not link_ids:
        return
    await delete_shares(session, link_ids=link_ids)
    await session.execute(delete(SupervisorLink).where(col(SupervisorLink.id).in_(link_ids)))


async def is_shared(session: AsyncSession, *, link_id: int, reflection_id: int) -> bool:
    result = await session.execute(
        select(func.count())
        .select_from(SharedReflection)
        .where(
            col(SharedReflection.link_id) == link_id,
            col(SharedReflection.reflection_id) == reflection_id,
        )
    )
    return int(result.scalar_one()) > 0


async def add_shared(
    session: AsyncSession,
    *,
    link_id: int,
    reflection_id: int,
    message_ids: Sequence[int],
    now: datetime,
) -> None:
    session.add(
        SharedReflection(
            link_id=link_id,
            reflection_id=reflection_id,
            message_ids=message_ids_text(message_ids),
            sent_at=now,
        )
    )
    await session.flush()


async def shared_by(session: AsyncSession, *, clinician_id: int) -> list[SharedItem]:
    """What the clinician shared over their active link, oldest first."""
    comments = (
        select(func.count())
        .select_from(SupervisorComment)
        .where(col(SupervisorComment.shared_id) == col(SharedReflection.id))
        .scalar_subquery()
    )
    result = await session.execute(
        select(
            col(SharedReflection.id),
            col(Reflection.id),
            col(Reflection.program_title),
            col(Reflection.started_at),
            col(SharedReflection.sent_at),
            comments,
        )
        .join(SupervisorLink, col(SupervisorLink.id) == col(SharedReflection.link_id))
        .join(Reflection, col(Reflection.id) == col(SharedReflection.reflection_id))
        .where(col(SupervisorLink.clinician_id) == clinician_id)
        .order_by(col(SharedReflection.sent_at), col(SharedReflection.id))
    )
    return [
        SharedItem(sid, rid, title, started, sent, int(count or 0))
        for sid, rid, title, started, sent, count in result.all()
        if sid is not None and rid is not None
    ]


async def owned_share(
    session: AsyncSession, *, shared_id: int, clinician_id: int
) -> SharedReflection | None:
    """The share, only if the clinician pressing is the one who shared it."""
    result = await session.execute(
        select(SharedReflection)
        .join(SupervisorLink, col(SupervisorLink.id) == col(SharedReflection.link_id))
        .where(
            col(SharedReflection.id) == shared_id, col(SupervisorLink.clinician_id) == clinician_id
        )
    )
    return result.scalars().first()


async def share_replied_to(
    session: AsyncSession, *, supervisor_user_id: int, chat_id: int, message_id: int
) -> tuple[SharedReflection, SupervisorLink, Reflection] | None:
    """The share a supervisor's reply answers: one of their copies, over an active link."""
    result = await session.execute(
        select(SharedReflection, SupervisorLink, Reflection)
        .join(SupervisorLink, col(SupervisorLink.id) == col(SharedReflection.link_id))
        .join(Reflection, col(Reflection.id) == col(SharedReflection.reflection_id))
        .where(
            col(SupervisorLink.supervisor_user_id) == supervisor_user_id,
            col(SupervisorLink.supervisor_chat_id) == chat_id,
            col(SupervisorLink.status) == ACTIVE,
        )
    )
    for shared, link, reflection in result.all():
        if message_id in _message_ids(shared.message_ids):
            return shared, link, reflection
    return None


async def add_comment(session: AsyncSession, *, shared_id: int, text: str, now: datetime) -> None:
    session.add(SupervisorComment(shared_id=shared_id, text=text, created_at=now))
    await session.flush()


async def comments_on(
    session: AsyncSession, *, reflection_ids: Collection[int]
) -> dict[int, list[str]]:
    """The supervisor's comments on these reflections (while shared), oldest first."""
    found: dict[int, list[str]] = {}
    if not reflection_ids:
        return found
    result = await session.execute(
        select(col(SharedReflection.reflection_id), col(SupervisorComment.text))
        .join(SharedReflection, col(SharedReflection.id) == col(SupervisorComment.shared_id))
        .where(col(SharedReflection.reflection_id).in_(reflection_ids))
        .order_by(col(SupervisorComment.created_at), col(SupervisorComment.id))
    )
    for reflection_id, text in result.all():
        found.setdefault(reflection_id, []).append(text)
    return found
