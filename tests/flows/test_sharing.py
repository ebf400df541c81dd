"""Sharing use cases without Telegram: an invite works once, for 24 hours, never for its
own author; only the clinician or their supervisor can end a link, only the author can share
or withdraw; copies older than Telegram's 48 hours are edited, not deleted.

Each test runs on a real SQLite file and on PostgreSQL (the `sessions` fixture).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import SharedReflection, SupervisorLink
from reflect_bot.db.repositories.sharing import Withdrawal
from reflect_bot.flows import sharing as flow
from tests.flows.conftest import NOW, add_clinician, add_reflection

Sessions = async_sessionmaker[AsyncSession]
SUPERVISOR = 77


async def _count(sessions: Sessions, model: type[SupervisorLink] | type[SharedReflection]) -> int:
    async with transaction(sessions) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_an_invite_works_once_within_24_hours_and_never_for_its_author(
    sessions: Sessions,
) -> None:
    clock = FixedClock(NOW)
    clinician = await add_clinician(sessions, user=1, name="Dr Ana")
    invited = await flow.invite(sessions, clock, clinician=clinician)
    assert isinstance(invited, flow.Invited)
    code = invited.code

    async with transaction(sessions) as session:
        (stored,) = (await session.execute(select(SupervisorLink))).scalars()
    assert stored.code_hash is not None and code not in stored.code_hash  # only a hash

    own = await flow.accept(sessions, clock, code=code, telegram_user_id=1, chat_id=1)
    assert isinstance(own, flow.InviteInvalid)
    assert await flow.preview(sessions, clock, code=code, telegram_user_id=SUPERVISOR) == (
        flow.InvitePreview("Dr Ana")
    )
    late = FixedClock(NOW + timedelta(hours=24, seconds=1))
    expired = await flow.accept(
        sessions, late, code=code, telegram_user_id=SUPERVISOR, chat_id=SUPERVISOR
    )
    assert isinstance(expired, flow.InviteInvalid)

    accepted = await flow.accept(
        sessions, clock, code=code, telegram_user_id=SUPERVISOR, chat_id=SUPERVISOR
    )
    assert isinstance(accepted, flow.Accepted) and accepted.clinician_chat_id == 1
    replayed = await flow.accept(sessions, clock, code=code, telegram_user_id=99, chat_id=99)
    assert isinstance(replayed, flow.InviteInvalid)
    assert isinstance(await flow.invite(sessions, clock, clinician=clinician), flow.AlreadyLinked)


async def test_only_the_author_shares_and_withdraws_and_only_the_two_of_them_end_the_link(
    sessions: Sessions, catalog: Catalog
) -> None:
    clock = FixedClock(NOW)
    author = await add_clinician(sessions, user=1, name="Dr Ana")
    other = await add_clinician(sessions, user=2, name="Dr Bo")
    reflection = await add_reflection(
        sessions,
        catalog,
        clinician=author,
        program_id="two-relationships",
        answers=[("distant_who", "A client who keeps me at arm's length.")],
    )
    invited = await flow.invite(sessions, clock, clinician=author)
    assert isinstance(invited, flow.Invited)
    accepted = await flow.accept(
        sessions, clock, code=invited.code, telegram_user_id=SUPERVISOR, chat_id=SUPERVISOR
    )
    assert isinstance(accepted, flow.Accepted) and reflection.id is not None

    foreign = await flow.prepare_share(sessions, clinician=other, reflection_id=reflection.id)
    assert isinstance(foreign, flow.Stale)
    ready = await flow.prepare_share(sessions, clinician=author, reflection_id=reflection.id)
    assert isinstance(ready, flow.ToShare) and ready.supervisor_chat_id == SUPERVISOR
    assert not await flow.record_share(
        sessions,
        clock,
        clinician=other,
        link_id=ready.link_id,
        reflection_id=reflection.id,
        message_ids=[500],
    )
    assert await flow.record_share(
        sessions,
        clock,
        clinician=author,
        link_id=ready.link_id,
        reflection_id=reflection.id,
        message_ids=[500, 501],
    )
    (item,) = await flow.shared(sessions, clinician=author)
    assert await flow.shared(sessions, clinician=other) == []
    assert isinstance(
        await flow.withdraw(sessions, clinician=other, shared_id=item.shared_id), flow.Stale
    )
    comment = await flow.comment(
        sessions, clock, supervisor_user_id=2, chat_id=SUPERVISOR, replied_to=500, text="Hm"
    )
    assert comment is None  # not their supervisor

    stranger = await flow.end_link(
        sessions, link_id=accepted.link_id, clinician_id=other.id, telegram_user_id=2
    )
    assert isinstance(stranger, flow.Stale) and await _count(sessions, SupervisorLink) == 1
    ended = await flow.end_link(
        sessions, link_id=accepted.link_id, clinician_id=None, telegram_user_id=SUPERVISOR
    )
    assert isinstance(ended, flow.Ended)
    assert [w.message_ids for w in ended.withdrawals] == [(500, 501)]
    assert ended.tell_chat_ids == (1,)
    assert await _count(sessions, SupervisorLink) == 0
    assert await _count(sessions, SharedReflection) == 0


def test_copies_are_deleted_within_telegrams_48_hours_and_edited_after() -> None:
    sent = Withdrawal(chat_id=5, message_ids=(1,), sent_at=NOW)
    assert flow.deletable(sent, NOW + timedelta(hours=46, minutes=59))
    assert not flow.deletable(sent, NOW + timedelta(hours=47))
