"""Portfolio: choosing a profile, gathering reflections as a body's evidence, and the CPD
record (/cpd, /cpd add and the CSV log). One transaction each, plain values out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.catalog import Catalog
from reflect_bot.catalog.profiles import EvidenceChoice, Profile
from reflect_bot.clock import Clock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.db.repositories import clinicians as clinician_repository
from reflect_bot.db.repositories import journal as journal_repository
from reflect_bot.db.repositories import portfolio as portfolio_repository
from reflect_bot.domain.cpd import (
    CpdEntry,
    CpdProblem,
    CpdProgress,
    LoggedActivity,
    cpd_log,
    parse_activity,
    period_start,
    progress,
)
from reflect_bot.domain.export import (
    EXPORTED_STATUSES,
    ExportRequest,
    ExportScope,
    Journal,
    build_journal,
)
from reflect_bot.domain.mentions import ConceptMatcher
from reflect_bot.domain.portfolio import (
    Account,
    Evidence,
    FlaggedAnswer,
    build_evidence,
    flagged_answers,
)
from reflect_bot.domain.timezones import clinician_zone, local_zone, resolve
from reflect_bot.flows.export import Asked

NO_CONCEPTS = ConceptMatcher(())

__all__ = [
    "ChoiceAsked",
    "CpdLog",
    "CpdOverview",
    "EvidenceGathered",
    "Logged",
    "ProfileChosen",
    "UnknownProfile",
    "ask_choice",
    "choose_profile",
    "cpd_overview",
    "gather_cpd_log",
    "gather_evidence",
    "log_activity",
    "pick_option",
    "should_offer_profile",
]

# --------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class ProfileChosen:
    profile: Profile | None  # None: the clinician chose none


@dataclass(frozen=True)
class UnknownProfile:
    typed: str


async def choose_profile(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: Clock,
    *,
    clinician: Clinician,
    profile_id: str | None,
) -> ProfileChosen | UnknownProfile:
    """Sets (or, with None, clears) the clinician's portfolio profile."""
    if profile_id is not None and profile_id not in catalog.profiles:
        return UnknownProfile(profile_id)
    async with transaction(sessions) as session:
        row = await _own_row(session, clinician)
        await portfolio_repository.set_profile(
            session, clinician=row, profile_id=profile_id, now=clock.now()
        )
    clinician.portfolio_profile, clinician.profile_asked = profile_id, True
    return ProfileChosen(None if profile_id is None else catalog.profile(profile_id))


async def should_offer_profile(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: Clock,
    *,
    clinician: Clinician,
) -> bool:
    """True once per clinician, the first time it makes sense to offer a profile (there are
    profiles and they have none): the offer is then marked as made."""
    if clinician.profile_asked or clinician.portfolio_profile or not catalog.profiles:
        return False
    async with transaction(sessions) as session:
        row = await _own_row(session, clinician)
        await portfolio_repository.mark_profile_asked(session, clinician=row, now=clock.now())
    clinician.profile_asked = True
    return True


async def _own_row(session: AsyncSession, clinician: Clinician) -> Clinician:
    row = await clinician_repository.get_by_user(
        session, telegram_user_id=clinician.telegram_user_id
    )
    if row is None:  # pragma: no cover - the clinician came from the database
        raise LookupError("clinician is not stored")
    return row


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceGathered:
    evidence: Evidence
    flagged: tuple[FlaggedAnswer, ...]


async def gather_evidence(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    *,
    clinician: Clinician,
    asked: Asked,
) -> EvidenceGathered:
    """The clinician's reflections for the request as accounts of the requested profile,
    with the answers the identifying-details check flags."""
    profile = catalog.profile(_required(asked.request.profile))
    clinician_id = _id(clinician)
    async with transaction(sessions) as session:
        journal = await _journal(session, catalog, clinician, asked)
        picks = await portfolio_repository.picks_for(
            session,
            clinician_id=clinician_id,
            profile_id=profile.id,
            reflection_ids=[entry.reflection_id for entry in journal.entries],
        )
    evidence = build_evidence(journal, profile, catalog=catalog, picks=picks)
    return EvidenceGathered(evidence, flagged_answers(journal, today=asked.today))


async def _journal(
    session: AsyncSession, catalog: Catalog, clinician: Clinician, asked: Asked
) -> Journal:
    started_from, started_before = asked.request.utc_bounds(resolve(asked.zone_name))
    stored = await journal_repository.load_reflections(
        session,
        clinician_id=_id(clinician),
        statuses=EXPORTED_STATUSES,
        started_from=started_from,
        started_before=started_before,
        program_id=asked.request.program,
    )
    return build_journal(
        asked.request,
        stored,
        catalog=catalog,
        zone_name=asked.zone_name,
        today=asked.today,
        exported_at=asked.now,
        author=clinician.display_name if clinician.name_in_export else None,
        # Accounts and the CPD log show no concepts: skip scanning every answer for them.
        matcher=NO_CONCEPTS,
    )


def _required(profile_id: str | None) -> str:
    if profile_id is None:  # pragma: no cover - the handler asks only with a profile
        raise ValueError("no profile requested")
    return profile_id


def _id(clinician: Clinician) -> int:
    if clinician.id is None:  # pragma: no cover - clinicians come from the database
        raise ValueError("clinician is not stored")
    return clinician.id


# --------------------------------------------------------------------------- the CPD record


@dataclass(frozen=True)
class CpdLog:
    """The CPD log for an export request: every line between two local dates."""

    start: date
    end: date
    lines: tuple[CpdEntry, ...]

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)


async def gather_cpd_log(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    *,
    clinician: Clinician,
    asked: Asked,
) -> CpdLog:
    """Reflections and logged activities for the request's dates (concept and program
    filters narrow the reflections only)."""
    async with transaction(sessions) as session:
        journal = await _journal(session, catalog, clinician, asked)
        logged = await portfolio_repository.activities(
            session,
            clinician_id=_id(clinician),
            since=asked.request.start,
            until=asked.request.end,
        )
    lines = cpd_log(journal.entries, logged)
    start = asked.request.start or (lines[0].day if lines else asked.today)
    end = asked.request.end or max(asked.today, lines[-1].day if lines else asked.today)
    return CpdLog(start, end, lines)


@dataclass(frozen=True)
class Logged:
    activity: LoggedActivity


async def log_activity(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    clinician: Clinician,
    words: Sequence[str],
) -> Logged | CpdProblem:
    """`/cpd add <kind> <duration> <title>`: logged on the clinician's local today."""
    parsed = parse_activity(words)
    if isinstance(parsed, CpdProblem):
        return parsed
    today = clock.now().astimezone(local_zone(clinician.timezone)).date()
    async with transaction(sessions) as session:
        activity = await portfolio_repository.add_activity(
            session,
            clinician_id=_id(clinician),
            kind=parsed.kind.value,
            title=parsed.title,
            minutes=parsed.minutes,
            done_on=today,
            now=clock.now(),
        )
    return Logged(activity)


@dataclass(frozen=True)
class CpdOverview:
    """What /cpd shows: progress over the profile's period, and the period's reflections as
    accounts, ready or lacking something (empty without a profile)."""

    profile: Profile | None
    progress: CpdProgress
    ready: tuple[Account, ...]
    lacking: tuple[Account, ...]


async def cpd_overview(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: Clock,
    *,
    clinician: Clinician,
) -> CpdOverview:
    profile = catalog.profiles.get(clinician.portfolio_profile or "")
    requirement = profile.cpd if profile is not None else None
    zone_name, zone = clinician_zone(clinician.timezone)
    now = clock.now()
    today = now.astimezone(zone).date()
    since = period_start(today, requirement)
    asked = Asked(ExportRequest(ExportScope.RANGE, start=since, end=today), zone_name, today, now)
    async with transaction(sessions) as session:
        journal = await _journal(session, catalog, clinician, asked)
        logged = await portfolio_repository.activities(
            session, clinician_id=_id(clinician), since=since, until=today
        )
        picks = (
            await portfolio_repository.picks_for(
                session,
                clinician_id=_id(clinician),
                profile_id=profile.id,
                reflection_ids=[entry.reflection_id for entry in journal.entries],
            )
            if profile is not None
            else {}
        )
    shown = progress(cpd_log(journal.entries, logged), requirement, today=today)
    if profile is None:
        return CpdOverview(None, shown, (), ())
    accounts = build_evidence(journal, profile, catalog=catalog, picks=picks).accounts
    newest_first = tuple(reversed(accounts))
    return CpdOverview(
        profile,
        shown,
        ready=tuple(account for account in newest_first if account.is_ready),
        lacking=tuple(account for account in newest_first if not account.is_ready),
    )


# --------------------------------------------------------------------------- choices


@dataclass(frozen=True)
class ChoiceAsked:
    """One of the profile's choices about one reflection, with what is picked so far."""

    profile: Profile
    choice: EvidenceChoice
    reflection_id: int
    program_title: str
    picked: tuple[str, ...]
    done: bool = False  # a single choice was just made: nothing left to press


async def ask_choice(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    *,
    clinician: Clinician,
    reflection_id: int,
    choice_id: str,
) -> ChoiceAsked | None:
    """The choice to ask, or None when the reflection is not theirs or the choice is not
    their profile's."""
    profile = catalog.profiles.get(clinician.portfolio_profile or "")
    if profile is None or choice_id not in {choice.id for choice in profile.choices}:
        return None
    async with transaction(sessions) as session:
        reflection = await portfolio_repository.own_reflection(
            session, reflection_id=reflection_id, clinician_id=_id(clinician)
        )
        if reflection is None:
            return None
        picks = await portfolio_repository.picks_for(
            session,
            clinician_id=_id(clinician),
            profile_id=profile.id,
            reflection_ids=[reflection_id],
        )
    return ChoiceAsked(
        profile,
        profile.choice(choice_id),
        reflection_id,
        reflection.program_title,
        picks.get(reflection_id, {}).get(choice_id, ()),
    )


async def pick_option(
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    clock: Clock,
    *,
    clinician: Clinician,
    reflection_id: int,
    choice_id: str,
    option_id: str,
) -> ChoiceAsked | None:
    """Picks an option (a single choice is then made) or, where several may be picked,
    toggles it; None for a reflection, choice or option that is not theirs to pick."""
    asked = await ask_choice(
        sessions, catalog, clinician=clinician, reflection_id=reflection_id, choice_id=choice_id
    )
    if asked is None or option_id not in asked.choice.option_ids:
        return None
    if asked.choice.several:
        chosen = set(asked.picked) ^ {option_id}
        picked = tuple(o for o in asked.choice.option_ids if o in chosen)
    else:
        picked = (option_id,)
    async with transaction(sessions) as session:
        await portfolio_repository.pick(
            session,
            reflection_id=reflection_id,
            profile_id=asked.profile.id,
            choice_id=choice_id,
            options=picked,
            now=clock.now(),
        )
    return ChoiceAsked(
        asked.profile,
        asked.choice,
        reflection_id,
        asked.program_title,
        picked,
        done=not asked.choice.several,
    )
