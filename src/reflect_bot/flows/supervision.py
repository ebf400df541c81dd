"""Supervision as use cases: mark a reflection to take to supervision, build the brief of
what is marked, and log a supervision or peer-consultation session (which clears the marks
and starts the next brief). One transaction each, plain values out, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import journal
from reflect_bot.db.repositories import supervision as store
from reflect_bot.domain.supervision import (
    MARKABLE,
    SESSION_MINUTES,
    Brief,
    SessionKind,
    build_brief,
)
from reflect_bot.domain.timezones import local_zone

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Marked:
    already: bool  # it was marked before this press


@dataclass(frozen=True)
class Logged:
    kind: SessionKind
    minutes: int
    cleared: int  # marks cleared for the next brief


@dataclass(frozen=True)
class Stale:
    """Not theirs, not finished, or a value no button offers: nothing changed."""


async def mark(
    sessions: Sessions, clock: Clock, *, clinician: Clinician, reflection_id: int
) -> Marked | Stale:
    """ "Take to supervision" on one of their finished reflections."""
    if clinician.id is None:
        return Stale()
    async with transaction(sessions) as session:
        new = await store.mark(
            session, clinician_id=clinician.id, reflection_id=reflection_id, now=clock.now()
        )
    return Stale() if new is None else Marked(already=not new)


async def brief(sessions: Sessions, *, clinician: Clinician) -> Brief:
    """The brief of what is marked since the last logged session."""
    zone = local_zone(clinician.timezone)
    if clinician.id is None:
        return Brief(None, ())
    async with transaction(sessions) as session:
        ids = await store.marked_ids(session, clinician_id=clinician.id)
        since = await store.last_held_on(session, clinician_id=clinician.id)
        marked = (
            await journal.load_reflections(
                session, clinician_id=clinician.id, statuses=MARKABLE, reflection_ids=ids
            )
            if ids
            else []
        )
    return build_brief(marked, zone=zone, since=since)


async def log_session(
    sessions: Sessions, clock: Clock, *, clinician: Clinician, kind: str, minutes: int
) -> Logged | Stale:
    """A session held today (local): recorded for CPD, and the marks are cleared."""
    if clinician.id is None or minutes not in SESSION_MINUTES or kind not in set(SessionKind):
        return Stale()
    now = clock.now()
    today = now.astimezone(local_zone(clinician.timezone)).date()
    async with transaction(sessions) as session:
        cleared = await store.log_session(
            session,
            clinician_id=clinician.id,
            held_on=today,
            minutes=minutes,
            kind=SessionKind(kind),
            now=now,
        )
    return Logged(SessionKind(kind), minutes, cleared)
