"""Forgetting a clinician removes every row of theirs and nothing of anyone else's; invite
codes are stored only as hashes and work once, until they expire."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Clinician, Invite, Reflection
from reflect_bot.db.repositories import privacy
from tests.integration.privacy_world import NOW, add_clinician, add_shared_rows, count_rows


async def test_forget_removes_every_row_of_one_clinician_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessions) as session:
        leaving = await add_clinician(session, user=501, marker="LEAVING", reflections=2)
        staying = await add_clinician(session, user=502, marker="STAYING", reflections=3)
        await add_shared_rows(session)
        code = await privacy.create_invite(session, now=NOW, expires_at=None)
        assert await privacy.redeem(session, code=code, telegram_user_id=501, now=NOW)
    before = await count_rows(sessions)
    async with transaction(sessions) as session:
        staying_holdings = await privacy.holdings(session, clinician_id=staying)
        assert await privacy.holdings(session, clinician_id=leaving) == privacy.Holdings(
            reflections=2, answers=4, schedules=1, digests=1
        )

    async with transaction(sessions) as session:
        assert await privacy.forget(session, clinician_id=leaving, telegram_user_id=501)

    after = await count_rows(sessions)
    leaving_rows = {
        "clinician": 1,
        "schedule": 1,
        "delivery": 1,
        "reflection": 2,
        "answer": 4,
        "answer_revision": 2,
        "evidence_choice": 2,
        "cpd_activity": 1,
        "digest": 1,
    }
    assert set(after) == {t.name for t in SQLModel.metadata.sorted_tables}
    for table, count in before.items():
        assert after[table] == count - leaving_rows.get(table, 0), table
    async with transaction(sessions) as session:
        assert await privacy.holdings(session, clinician_id=staying) == staying_holdings
        texts = (
            (
                await session.execute(
                    select(col(Answer.text))
                    .join(Reflection, col(Answer.reflection_id) == Reflection.id)
                    .where(col(Answer.kind) == "text")
                )
            )
            .scalars()
            .all()
        )
        assert sorted(t or "" for t in texts) == [f"STAYING answer {n}" for n in range(3)]
        names = (await session.execute(select(col(Clinician.telegram_user_id)))).scalars().all()
        assert list(names) == [502]
        # The used invite keeps being used, but no longer names who used it.
        invites = (await session.execute(select(Invite))).scalars().all()
        used = [i for i in invites if i.redeemed_at is not None]
        assert len(used) == 1 and used[0].redeemed_by is None
        assert not await privacy.has_redeemed(session, telegram_user_id=501)

    async with transaction(sessions) as session:
        assert not await privacy.forget(session, clinician_id=leaving, telegram_user_id=501)


async def test_invites_are_hashed_single_use_and_expire(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessions) as session:
        assert not await privacy.invites_exist(session)
        code = await privacy.create_invite(session, now=NOW, expires_at=NOW + timedelta(days=2))
        old = await privacy.create_invite(session, now=NOW, expires_at=NOW + timedelta(hours=1))
    async with transaction(sessions) as session:
        stored = (await session.execute(select(col(Invite.code_hash)))).scalars().all()
        assert code not in stored and privacy.invite_hash(code) in stored
        assert await privacy.invites_exist(session)
        # Typed with capitals and dashes, as people copy codes.
        shown = "-".join(code[i : i + 4] for i in range(0, len(code), 4)).upper()
        assert await privacy.redeem(session, code=shown, telegram_user_id=7, now=NOW)
        assert await privacy.has_redeemed(session, telegram_user_id=7)
    async with transaction(sessions) as session:
        assert not await privacy.redeem(session, code=code, telegram_user_id=8, now=NOW)
        assert not await privacy.redeem(
            session, code=old, telegram_user_id=8, now=NOW + timedelta(hours=2)
        )
        assert not await privacy.redeem(session, code="not-a-code", telegram_user_id=8, now=NOW)
        assert not await privacy.has_redeemed(session, telegram_user_id=8)
