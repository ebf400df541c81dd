"""Sharing with a supervisor, consented and withdrawable, as use cases.

`/supervisor` makes a one-time invite (24 h, stored hashed); the supervisor opens its link,
sees whose supervisor they would become and accepts. Nothing is shared until the clinician
presses "Share" on one reflection; the supervisor may reply to it with a comment. Withdrawing
one share, ending the link (either side) or /forget (either side) deletes the shares and
comments and returns the supervisor's copies for the handler to take back from Telegram.

One transaction each, plain values out, no Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician, SupervisorLink
from reflect_bot.db.repositories import journal
from reflect_bot.db.repositories import sharing as store
from reflect_bot.db.repositories.sharing import Withdrawal
from reflect_bot.domain.export import StoredReflection
from reflect_bot.domain.supervision import MARKABLE, SharedItem

Sessions = async_sessionmaker[AsyncSession]

INVITE_VALID_FOR = timedelta(hours=24)
#: Telegram lets a bot delete its messages for 48 hours; after that they are edited instead.
DELETABLE_FOR = timedelta(hours=47)  # an hour's margin for clocks and slow requests
INVITE_PREFIX = "sv-"  # /start sv-<code>


@dataclass(frozen=True)
class Invited:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class AlreadyLinked:
    """A supervisor already has the link: end it before inviting another."""

    link_id: int


@dataclass(frozen=True)
class InvitePreview:
    clinician_name: str | None


@dataclass(frozen=True)
class InviteInvalid:
    """Unknown, used, expired, or their own: nothing happens."""


@dataclass(frozen=True)
class Accepted:
    link_id: int
    clinician_chat_id: int
    clinician_name: str | None


@dataclass(frozen=True)
class Ended:
    withdrawals: tuple[Withdrawal, ...]
    tell_chat_ids: tuple[int, ...]  # the other side of each link ended


@dataclass(frozen=True)
class ToShare:
    link_id: int
    supervisor_chat_id: int
    author: str | None
    reflection: StoredReflection


@dataclass(frozen=True)
class NoSupervisor:
    """No active link: invite a supervisor first."""


@dataclass(frozen=True)
class AlreadyShared:
    pass


@dataclass(frozen=True)
class Stale:
    """Not theirs, or no longer there: nothing changed."""


@dataclass(frozen=True)
class Commented:
    clinician_chat_id: int
    clinician_zone: str | None
    title: str
    started_at: datetime


def invite_code_of(payload: str) -> str | None:
    """The invite code a /start payload carries, or None when it is something else."""
    if not payload.startswith(INVITE_PREFIX):
        return None
    return payload.removeprefix(INVITE_PREFIX) or None


async def invite(
    sessions: Sessions, clock: Clock, *, clinician: Clinician
) -> Invited | AlreadyLinked:
    assert clinician.id is not None
    async with transaction(sessions) as session:
        now = clock.now()
        linked = await store.active_link(session, clinician_id=clinician.id)
        if linked is not None and linked.id is not None:
            return AlreadyLinked(linked.id)
        expires_at = now + INVITE_VALID_FOR
        code = await store.create_invite(
            session, clinician_id=clinician.id, now=now, expires_at=expires_at
        )
    return Invited(code, expires_at)


async def preview(
    sessions: Sessions, clock: Clock, *, code: str, telegram_user_id: int
) -> InvitePreview | InviteInvalid:
    """Whose supervisor the person opening the link would become (nothing is stored)."""
    async with transaction(sessions) as session:
        found = await store.pending_invite(session, code=code, now=clock.now())
    if found is None or found[1].telegram_user_id == telegram_user_id:
        return InviteInvalid()
    return InvitePreview(found[1].display_name)


async def accept(
    sessions: Sessions, clock: Clock, *, code: str, telegram_user_id: int, chat_id: int
) -> Accepted | InviteInvalid:
    """The person holding the invite accepts: the link is active, the code spent."""
    async with transaction(sessions) as session:
        now = clock.now()
        found = await store.pending_invite(session, code=code, now=now)
        if found is None:
            return InviteInvalid()
        link, clinician = found
        if clinician.telegram_user_id == telegram_user_id or link.id is None:
            return InviteInvalid()
        if not await store.accept(
            session, link_id=link.id, supervisor_user_id=telegram_user_id, chat_id=chat_id, now=now
        ):
            return InviteInvalid()
        return Accepted(link.id, clinician.chat_id, clinician.display_name)


async def end_link(
    sessions: Sessions, *, link_id: int, clinician_id: int | None, telegram_user_id: int
) -> Ended | Stale:
    """Either side ends the link; everything shared over it is withdrawn."""
    async with transaction(sessions) as session:
        link = await store.get_link(session, link_id=link_id)
        if link is None or link.id is None:
            return Stale()
        as_clinician = clinician_id is not None and link.clinician_id == clinician_id
        as_supervisor = link.supervisor_user_id == telegram_user_id
        if not (as_clinician or as_supervisor):
            return Stale()
        taken_back = await store.withdrawals(session, link_ids=[link.id])
        await store.delete_links(session, link_ids=[link.id])
        other = await _other_sides(session, [link], telegram_user_id)
    return Ended(tuple(taken_back), other)


async def withdraw_everything(
    sessions: Sessions, *, clinician_id: int | None, telegram_user_id: int
) -> Ended:
    """/forget, either side: every link they are part of ends, everything shared goes."""
    async with transaction(sessions) as session:
        links = await store.links_involving(
            session, clinician_id=clinician_id, telegram_user_id=telegram_user_id
        )
        ids = [link.id for link in links if link.id is not None]
        taken_back = await store.withdrawals(session, link_ids=ids)
        other = await _other_sides(session, links, telegram_user_id)
        await store.delete_links(session, link_ids=ids)
    return Ended(tuple(taken_back), other)


async def _other_sides(
    session: AsyncSession, links: list[SupervisorLink], telegram_user_id: int
) -> tuple[int, ...]:
    chats = []
    for link in links:
        if link.status != store.ACTIVE:
            continue
        if link.supervisor_user_id == telegram_user_id:
            owner = await session.get(Clinician, link.clinician_id)
            if owner is not None:
                chats.append(owner.chat_id)
        elif link.supervisor_chat_id is not None:
            chats.append(link.supervisor_chat_id)
    return tuple(chats)


async def prepare_share(
    sessions: Sessions, *, clinician: Clinician, reflection_id: int
) -> ToShare | NoSupervisor | AlreadyShared | Stale:
    """What "Share with my supervisor" would send: one finished reflection of theirs."""
    assert clinician.id is not None
    async with transaction(sessions) as session:
        link = await store.active_link(session, clinician_id=clinician.id)
        found = await journal.load_reflections(
            session, clinician_id=clinician.id, statuses=MARKABLE, reflection_ids=[reflection_id]
        )
        if not found:
            return Stale()
        if link is None or link.id is None or link.supervisor_chat_id is None:
            return NoSupervisor()
        if await store.is_shared(session, link_id=link.id, reflection_id=reflection_id):
            return AlreadyShared()
    return ToShare(link.id, link.supervisor_chat_id, clinician.display_name, found[0])


async def record_share(
    sessions: Sessions,
    clock: Clock,
    *,
    clinician: Clinician,
    link_id: int,
    reflection_id: int,
    message_ids: list[int],
) -> bool:
    """Records what was sent, if the link is still theirs and active (False: take it back)."""
    async with transaction(sessions) as session:
        link = await store.get_link(session, link_id=link_id)
        if link is None or link.clinician_id != clinician.id or link.status != store.ACTIVE:
            return False
        await store.add_shared(
            session,
            link_id=link_id,
            reflection_id=reflection_id,
            message_ids=message_ids,
            now=clock.now(),
        )
    return True


async def comment(
    sessions: Sessions,
    clock: Clock,
    *,
    supervisor_user_id: int,
    chat_id: int,
    replied_to: int,
    text: str,
) -> Commented | None:
    """A supervisor's reply to one of their copies: kept with the reflection; None when it
    answers nothing shared with them (the reply is not stored)."""
    async with transaction(sessions) as session:
        found = await store.share_replied_to(
            session, supervisor_user_id=supervisor_user_id, chat_id=chat_id, message_id=replied_to
        )
        if found is None:
            return None
        shared, link, reflection = found
        owner = await session.get(Clinician, link.clinician_id)
        if owner is None or shared.id is None:
            return None
        await store.add_comment(session, shared_id=shared.id, text=text, now=clock.now())
        return Commented(
            owner.chat_id, owner.timezone, reflection.program_title, reflection.started_at
        )


async def shared(sessions: Sessions, *, clinician: Clinician) -> list[SharedItem]:
    assert clinician.id is not None
    async with transaction(sessions) as session:
        return await store.shared_by(session, clinician_id=clinician.id)


async def withdraw(sessions: Sessions, *, clinician: Clinician, shared_id: int) -> Ended | Stale:
    """Withdraws one share of theirs: its copy and the comments on it go."""
    assert clinician.id is not None
    async with transaction(sessions) as session:
        share = await store.owned_share(session, shared_id=shared_id, clinician_id=clinician.id)
        if share is None:
            return Stale()
        taken_back = await store.withdrawals(session, shared_ids=[shared_id])
        await store.delete_shares(session, shared_ids=[shared_id])
    return Ended(tuple(taken_back), ())


def deletable(withdrawal: Withdrawal, now: datetime) -> bool:
    """Telegram still lets the bot delete these messages (else they are edited)."""
    return now - withdrawal.sent_at < DELETABLE_FOR
