"""Forgetting a clinician, invite codes, and replacing an answer that held identifying details.

Every row of a clinician's hangs off `clinician.id` with ON DELETE CASCADE (see models.py),
so deleting the clinician takes their schedules, deliveries, reflections, answers, answer
revisions, kept concepts, evidence choices, CPD activities, digests, learning goals and goal
check-ins with it in one statement. Processed update ids belong to no one and stay. An invite
they redeemed keeps only the fact that it was used.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reflect_bot.db.engine import mark_erased
from reflect_bot.db.models import (
    Answer,
    AnswerRevision,
    Clinician,
    CpdActivity,
    Delivery,
    Digest,
    EvidenceChoice,
    GoalCheckIn,
    Invite,
    LearningGoal,
    Reflection,
    ReflectionConcept,
    Schedule,
    SharedReflection,
    SupervisionMark,
    SupervisionSession,
    SupervisorComment,
    SupervisorLink,
    TranscriptionJob,
)
from reflect_bot.db.statements import rowcount

# 10 random bytes in base32: 16 letters and digits, easy to type, 80 bits of chance.
INVITE_BYTES = 10


@dataclass(frozen=True)
class Holdings:
    """How much is stored about one clinician (counts only, for the /forget confirmation)."""

    reflections: int
    answers: int
    schedules: int
    digests: int


async def holdings(session: AsyncSession, *, clinician_id: int) -> Holdings:
    async def count(query: Select[int]) -> int:
        return int((await session.execute(query)).scalar_one())

    mine = col(Reflection.clinician_id) == clinician_id
    return Holdings(
        reflections=await count(select(func.count()).select_from(Reflection).where(mine)),
        answers=await count(
            select(func.count())
            .select_from(Answer)
            .join(Reflection, col(Answer.reflection_id) == Reflection.id)
            .where(mine)
        ),
        schedules=await count(
            select(func.count())
            .select_from(Schedule)
            .where(col(Schedule.clinician_id) == clinician_id)
        ),
        digests=await count(
            select(func.count()).select_from(Digest).where(col(Digest.clinician_id) == clinician_id)
        ),
    )


async def forget(session: AsyncSession, *, clinician_id: int, telegram_user_id: int) -> bool:
    """Deletes the clinician and everything of theirs; False when there was nothing to delete.

    The child tables are emptied explicitly, children first, as well as by the cascades,
    so the result does not depend on SQLite's foreign_keys pragma being on.
    """
    reflection_ids = select(col(Reflection.id)).where(col(Reflection.clinician_id) == clinician_id)
    answer_ids = select(col(Answer.id)).where(col(Answer.reflection_id).in_(reflection_ids))
    # Voice notes waiting for (or holding) a transcript: audio and words go too.
    await session.execute(
        delete(TranscriptionJob).where(col(TranscriptionJob.clinician_id) == clinician_id)
    )
    await session.execute(
        delete(AnswerRevision).where(col(AnswerRevision.answer_id).in_(answer_ids))
    )
    # Supervision links where they are the clinician or the supervisor, with what was shared
    # over them (the caller has taken the supervisor's copies back from Telegram first).
    link_ids = select(col(SupervisorLink.id)).where(
        (col(SupervisorLink.clinician_id) == clinician_id)
        | (col(SupervisorLink.supervisor_user_id) == telegram_user_id)
    )
    shared_ids = select(col(SharedReflection.id)).where(
        col(SharedReflection.link_id).in_(link_ids)
        | col(SharedReflection.reflection_id).in_(reflection_ids)
    )
    await session.execute(
        delete(SupervisorComment).where(col(SupervisorComment.shared_id).in_(shared_ids))
    )
    await session.execute(delete(SharedReflection).where(col(SharedReflection.id).in_(shared_ids)))
    await session.execute(delete(SupervisorLink).where(col(SupervisorLink.id).in_(link_ids)))
    await session.execute(
        delete(SupervisionMark).where(col(SupervisionMark.clinician_id) == clinician_id)
    )
    await session.execute(
        delete(SupervisionSession).where(col(SupervisionSession.clinician_id) == clinician_id)
    )
    goal_ids = select(col(LearningGoal.id)).where(col(LearningGoal.clinician_id) == clinician_id)
    await session.execute(delete(GoalCheckIn).where(col(GoalCheckIn.goal_id).in_(goal_ids)))
    await session.execute(
        delete(LearningGoal).where(col(LearningGoal.clinician_id) == clinician_id)
    )
    await session.execute(delete(Answer).where(col(Answer.reflection_id).in_(reflection_ids)))
    await session.execute(
        delete(ReflectionConcept).where(col(ReflectionConcept.reflection_id).in_(reflection_ids))
    )
    await session.execute(
        delete(EvidenceChoice).where(col(EvidenceChoice.reflection_id).in_(reflection_ids))
    )
    await session.execute(delete(CpdActivity).where(col(CpdActivity.clinician_id) == clinician_id))
    await session.execute(delete(Reflection).where(col(Reflection.clinician_id) == clinician_id))
    await session.execute(delete(Digest).where(col(Digest.clinician_id) == clinician_id))
    await session.execute(delete(Delivery).where(col(Delivery.clinician_id) == clinician_id))
    await session.execute(delete(Schedule).where(col(Schedule.clinician_id) == clinician_id))
    result = await session.execute(delete(Clinician).where(col(Clinician.id) == clinician_id))
    mark_erased(session)  # and wiped from SQLite's write-ahead log once committed
    # The invite stays marked as used (so it cannot be used again), but no longer says by whom.
    await session.execute(
        update(Invite).where(col(Invite.redeemed_by) == telegram_user_id).values(redeemed_by=None)
    )
    return rowcount(result) > 0


# --------------------------------------------------------------------------- invites


def new_invite_code() -> str:
    """A fresh code, shown once to the operator; only its hash is ever stored."""
    raw = base64.b32encode(secrets.token_bytes(INVITE_BYTES)).decode("ascii")
    return raw.rstrip("=").lower()


def invite_hash(code: str) -> str:
    """SHA-256 of the code as typed, ignoring case, spaces and dashes."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


async def create_invite(
    session: AsyncSession, *, now: datetime, expires_at: datetime | None
) -> str:
    """Stores a new invite and returns its code (the only time it exists in the clear)."""
    code = new_invite_code()
    session.add(Invite(code_hash=invite_hash(code), created_at=now, expires_at=expires_at))
    await session.flush()
    return code


async def invites_exist(session: AsyncSession) -> bool:
    """True once any invite was created: the deployment is then invite-only."""
    return bool((await session.execute(select(exists().select_from(Invite)))).scalar_one())


async def has_redeemed(session: AsyncSession, *, telegram_user_id: int) -> bool:
    query = select(exists().where(col(Invite.redeemed_by) == telegram_user_id))
    return bool((await session.execute(query)).scalar_one())


async def redeem(session: AsyncSession, *, code: str, telegram_user_id: int, now: datetime) -> bool:
    """Marks the invite as used by this person; False if unknown, expired or already used.

    One conditional UPDATE, so two people racing for one code cannot both get in.
    """
    result = await session.execute(
        update(Invite)
        .where(
            col(Invite.code_hash) == invite_hash(code),
            col(Invite.redeemed_at).is_(None),
            col(Invite.expires_at).is_(None) | (col(Invite.expires_at) > now),
        )
        .values(redeemed_by=telegram_user_id, redeemed_at=now)
    )
    return rowcount(result) > 0


# --------------------------------------------------------------------------- answers


async def owned_answer(
    session: AsyncSession, *, answer_id: int, clinician_id: int
) -> Answer | None:
    """The answer, if it belongs to one of this clinician's reflections."""
    result = await session.execute(
        select(Answer)
        .join(Reflection, col(Answer.reflection_id) == Reflection.id)
        .where(col(Answer.id) == answer_id, col(Reflection.clinician_id) == clinician_id)
    )
    return result.scalar_one_or_none()


async def answer_to_step(
    session: AsyncSession, *, reflection_id: int, step_id: str, clinician_id: int
) -> Answer | None:
    """The answer to one step of one of this clinician's reflections."""
    result = await session.execute(
        select(Answer)
        .join(Reflection, col(Answer.reflection_id) == Reflection.id)
        .where(
            col(Answer.reflection_id) == reflection_id,
            col(Answer.step_id) == step_id,
            col(Reflection.clinician_id) == clinician_id,
        )
    )
    return result.scalar_one_or_none()


async def flag_answer(session: AsyncSession, *, answer: Answer) -> None:
    """Marks the answer as flagged by the identifying-details check: kept as it is, it is
    never quoted outside the clinician's own journal."""
    answer.identifying_flagged = True
    session.add(answer)
    await session.flush()


async def replace_answer_text(
    session: AsyncSession,
    *,
    answer: Answer,
    text: str,
    now: datetime,
    identifying_flagged: bool = False,
) -> None:
    """Replaces the text for good: earlier versions are deleted, not kept as revisions,
    because the point is that the identifying details are gone. The flag says whether the
    new text still seems to hold some."""
    await session.execute(delete(AnswerRevision).where(col(AnswerRevision.answer_id) == answer.id))
    mark_erased(session)
    answer.text = text
    answer.edited_at = now
    answer.identifying_flagged = identifying_flagged
    session.add(answer)
    await session.flush()
