"""/export: read what the clinician asked for in their own time, and gather that journal.

Rendering the document and sending it belong to the handler; this use case only decides
which reflections the journal holds, reading them in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import goals as goal_repository
from reflect_bot.db.repositories import journal as journal_repository
from reflect_bot.db.repositories import sharing
from reflect_bot.domain.export import (
    EXPORTED_STATUSES,
    ExportArgumentError,
    ExportProblem,
    ExportRequest,
    Journal,
    build_journal,
    parse_export_args,
)
from reflect_bot.domain.timezones import clinician_zone, resolve


@dataclass(frozen=True)
class Asked:
    """A request read in the clinician's time zone (UTC when they never chose one)."""

    request: ExportRequest
    zone_name: str
    today: date  # the clinician's local date
    now: datetime


@dataclass(frozen=True)
class NotUnderstood:
    """The arguments could not be read: why, and the words that could not (as typed)."""

    problem: ExportProblem
    typed: str
    today: date


def read_request(
    catalog: Catalog, clock: Clock, *, clinician: Clinician, args: Sequence[str]
) -> Asked | NotUnderstood:
    """`/export [<profile> | cpd] [md | docx | csv] [week | <from> <to> | concept <slug> |
    program <id>]` read against the catalog's profiles, concepts and programs."""
    zone_name, zone = clinician_zone(clinician.timezone)
    now = clock.now()
    today = now.astimezone(zone).date()
    args = _with_own_profile(args, clinician.portfolio_profile, catalog)
    try:
        request = parse_export_args(
            args,
            today=today,
            concepts=catalog.concepts,
            programs=catalog.programs,
            profiles=catalog.profiles,
        )
    except ExportArgumentError as error:
        return NotUnderstood(error.problem, error.typed, today)
    return Asked(request, zone_name, today, now)


def _with_own_profile(args: Sequence[str], profile: str | None, catalog: Catalog) -> Sequence[str]:
    """`/export docx …` means the clinician's own profile's accounts, when they chose one."""
    if profile is None or profile not in catalog.profiles or not args:
        return args
    if args[0].casefold() in ("docx", "word"):
        return [profile, *args]
    return args


async def gather(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    *,
    clinician: Clinician,
    asked: Asked,
) -> Journal:
    """The clinician's own journal for the request (empty when nothing matches); their name
    appears only when they allowed it in exports."""
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    started_from, started_before = asked.request.utc_bounds(resolve(asked.zone_name))
    async with transaction(sessions) as session:
        stored = await journal_repository.load_reflections(
            session,
            clinician_id=clinician.id,
            statuses=EXPORTED_STATUSES,
            started_from=started_from,
            started_before=started_before,
            program_id=asked.request.program,
        )
        goals = await goal_repository.for_export(
            session, clinician_id=clinician.id, zone=resolve(asked.zone_name)
        )
        comments = await sharing.comments_on(session, reflection_ids=[r.id for r in stored])
    return build_journal(
        asked.request,
        stored,
        catalog=catalog,
        zone_name=asked.zone_name,
        today=asked.today,
        exported_at=asked.now,
        author=clinician.display_name if clinician.name_in_export else None,
        by_meaning=True,
        goals=goals,
        supervisor_comments=comments,
    )
