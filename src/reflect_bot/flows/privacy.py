"""Privacy: /forget, and replacing an answer that seemed to hold identifying details.

Replacing works through `Clinician.awaiting = "replace:<answer>"`: the next typed message
becomes the answer's new text, and the old text is deleted for good, earlier revisions
included. Every id a button carries is checked against the clinician who pressed it: a
foreign one changes nothing. Nothing a clinician typed is ever logged here. The states a
clinician passes through are drawn in privacy_flow.mmd beside this file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import clinicians, privacy
from reflect_bot.db.repositories.privacy import Holdings
from reflect_bot.domain.identifying import IdentifyingKind, find_identifying
from reflect_bot.domain.numbers import whole_number
from reflect_bot.domain.timezones import local_zone

log = logging.getLogger(__name__)

REPLACE_AWAITING = "replace:"
# A replacement not sent within this time is no longer waited for: the next message is
# an ordinary one again.
REPLACE_WAIT = timedelta(minutes=30)

# --------------------------------------------------------------------------- /forget


async def holdings(sessions: async_sessionmaker[AsyncSession], *, clinician_id: int) -> Holdings:
    """How much is stored about the clinician, for the /forget confirmation."""
    async with transaction(sessions) as session:
        return await privacy.holdings(session, clinician_id=clinician_id)


async def erase(
    sessions: async_sessionmaker[AsyncSession],
    *,
    clinician_id: int | None,
    confirmed_for: int,
    telegram_user_id: int,
) -> bool:
    """Erases the clinician and everything of theirs, when the confirmation pressed was
    their own; False (nothing changed) for someone else's, or when they are already gone.

    `clinician_id` is the consented clinician pressing (None: nobody); `confirmed_for` the
    clinician the button names.
    """
    if clinician_id is None or clinician_id != confirmed_for:
        return False
    async with transaction(sessions) as session:
        await privacy.forget(session, clinician_id=clinician_id, telegram_user_id=telegram_user_id)
    log.info("clinician %s was forgotten at their request", clinician_id)
    return True


# --------------------------------------------------------------------------- identifying details


@dataclass(frozen=True)
class Suspected:
    """A stored answer seems to identify a client: these kinds of detail (never the words)."""

    answer_id: int
    kinds: tuple[IdentifyingKind, ...]


def _today(clinician: Clinician, clock: Clock) -> date:
    now = clock.now()
    return now.astimezone(local_zone(clinician.timezone)).date()


def identifying_in(text: str, *, clinician: Clinician, clock: Clock) -> tuple[IdentifyingKind, ...]:
    """The kinds of identifying detail `text` seems to hold, read on the clinician's own
    date (so their own dates are not taken for a date of birth); empty: none."""
    return find_identifying(text, today=_today(clinician, clock))


async def suspect_answer(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    clinician: Clinician,
    reflection_id: int,
    step_id: str,
    text: str,
) -> Suspected | None:
    """After a text answer was stored: whether it seems to name or identify a client.

    Ordinary answers are read without touching the database; a suspected one is flagged
    (until replaced or edited clean it is never quoted, see `Answer.identifying_flagged`)
    and its id returned, to name it on the "Replace my answer" button.
    """
    kinds = identifying_in(text, clinician=clinician, clock=clock)
    if not kinds or clinician.id is None:
        return None
    async with transaction(sessions) as session:
        answer = await privacy.answer_to_step(
            session, reflection_id=reflection_id, step_id=step_id, clinician_id=clinician.id
        )
        # Only while it still says what was checked: a quick edit may have made it clean.
        if answer is not None and answer.text == text:
            await privacy.flag_answer(session, answer=answer)
    if answer is None or answer.id is None:
        return None
    return Suspected(answer.id, kinds)


async def wait_for_replacement(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    clinician: Clinician,
    answer_id: int,
) -> bool:
    """ "Replace my answer": the clinician's next typed message becomes the answer's text.
    False (nothing changed) when the answer is not theirs, or gone."""
    if clinician.id is None:
        return False
    async with transaction(sessions) as session:
        answer = await privacy.owned_answer(session, answer_id=answer_id, clinician_id=clinician.id)
        if answer is None:
            return False
        await clinicians.set_awaiting(
            session,
            clinician=clinician,
            awaiting=f"{REPLACE_AWAITING}{answer_id}",
            now=clock.now(),
        )
    return True


def awaits_replacement(clinician: Clinician, *, now: datetime) -> bool:
    """True while a "Replace my answer" is waiting for the new text."""
    if not (clinician.awaiting or "").startswith(REPLACE_AWAITING):
        return False
    return now - clinician.updated_at <= REPLACE_WAIT


def _awaited_answer(clinician: Clinician) -> int | None:
    return whole_number((clinician.awaiting or "").removeprefix(REPLACE_AWAITING))


@dataclass(frozen=True)
class Replaced:
    """The answer now holds the new text and nothing of the old; `kinds` are identifying
    details the new text still seems to hold (empty: none)."""

    answer_id: int
    kinds: tuple[IdentifyingKind, ...]


async def replace_answer(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    clinician: Clinician,
    typed: str,
) -> Replaced | None:
    """Stores `typed` in place of the awaited answer's text, deleting every earlier wording,
    and stops waiting; None when that answer no longer exists (or is not theirs)."""
    if clinician.id is None:
        return None
    now = clock.now()
    answer_id = _awaited_answer(clinician)
    kinds = identifying_in(typed, clinician=clinician, clock=clock)
    async with transaction(sessions) as session:
        answer = (
            await privacy.owned_answer(session, answer_id=answer_id, clinician_id=clinician.id)
            if answer_id is not None
            else None
        )
        if answer is not None:
            await privacy.replace_answer_text(
                session, answer=answer, text=typed, now=now, identifying_flagged=bool(kinds)
            )
        await clinicians.set_awaiting(session, clinician=clinician, awaiting=None, now=now)
    if answer is None or answer.id is None:
        return None
    return Replaced(answer.id, kinds)
