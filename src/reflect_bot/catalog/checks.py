"""Rules across entries of the catalog: within a program (step ids, conditions, follow-ups)
and across the catalog (references, synonyms, roles, menu order, the check-in's contract).

Each rule is written once and returns plain `Issue`s; the models (`Program`, `Catalog`)
refuse an inconsistent whole with them, and the loader ties each one to its file. They read
entries through small protocols, so the loader can also check stand-ins for entries that
failed validation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from reflect_bot.catalog.kinds import (
    CHECKIN_RATING_STEPS,
    CHECKIN_RUPTURE_OPTIONS,
    CHECKIN_RUPTURE_STEP,
    Role,
    StepKind,
)

if TYPE_CHECKING:
    from reflect_bot.catalog.models import Condition, FollowUp, SourceDocument, SourceRef, Step

__all__ = [
    "CatalogIssue",
    "ConceptRefs",
    "Issue",
    "ProgramRefs",
    "catalog_issues",
    "describe",
    "missing_roles",
    "program_issues",
]


@dataclass(frozen=True, slots=True)
class Issue:
    """A consistency problem inside one program or concept (not yet tied to a file)."""

    entry: str | None
    field: str | None
    message: str


def program_issues(
    program_id: str,
    steps: Iterable[Step],
    follow_ups: Iterable[FollowUp] = (),
    *,
    unchecked_steps: Collection[str] = (),
) -> list[Issue]:
    """Problems across the steps of one program.

    `unchecked_steps` names steps that exist but could not be validated; references
    to them are not reported (their own problems are reported elsewhere).
    """
    issues: list[Issue] = []
    seen: dict[str, Step] = {}
    for step in steps:
        entry = f'step "{step.id}"'
        if step.id in seen:
            issues.append(Issue(entry, "id", f'duplicate step id "{step.id}"'))
            continue
        if step.when is not None:
            issues.extend(
                Issue(entry, "when", message)
                for message in _condition_problems(step.when, seen, unchecked_steps, step.id)
            )
        seen[step.id] = step
    for number, follow_up in enumerate(follow_ups, start=1):
        if follow_up.program == program_id:
            issues.append(
                Issue(f"follow_up {number}", "program", "a program cannot follow up itself")
            )
        if follow_up.when is not None:
            issues.extend(
                Issue(f"follow_up {number}", "when", message)
                for message in _condition_problems(follow_up.when, seen, unchecked_steps, None)
            )
    return issues


def _condition_problems(
    condition: Condition,
    earlier: Mapping[str, Step],
    unchecked: Collection[str],
    own_id: str | None,
) -> list[str]:
    target_id = condition.step
    if target_id == own_id:
        return [f'step "{target_id}" cannot depend on itself']
    target = earlier.get(target_id)
    if target is None:
        if target_id in unchecked:
            return []
        if own_id is None:
            return [f'refers to step "{target_id}", which this program does not have']
        return [f'refers to step "{target_id}", which is not an earlier step of this program']
    if condition.in_ is not None:
        if target.kind is not StepKind.CHOICE:
            return [f'step "{target_id}" is a {target.kind} step; "in" needs a choice step']
        unknown = [option for option in condition.in_ if option not in target.option_ids]
        return [f'step "{target_id}" has no option "{option}"' for option in unknown]
    if target.kind is not StepKind.RATING:
        return [
            f'step "{target_id}" is a {target.kind} step; "at_most"/"at_least" need a rating step'
        ]
    return []


def describe(issue: Issue) -> str:
    """One line, e.g. 'step "why" field "when": refers to step …'."""
    where = " ".join(
        part for part in (issue.entry, f'field "{issue.field}"' if issue.field else None) if part
    )
    return f"{where}: {issue.message}" if where else issue.message


# --------------------------------------------------------------------------- catalog


@dataclass(frozen=True, slots=True)
class CatalogIssue:
    """A cross-reference problem, tied to the concept, program or source that has it."""

    owner: Literal["concept", "program", "source"]
    key: str
    entry: str | None
    field: str | None
    message: str


class ConceptRefs(Protocol):
    """What `catalog_issues` reads of a concept card (a `Concept` has all of it)."""

    @property
    def slug(self) -> str: ...
    @property
    def synonyms(self) -> Sequence[str]: ...
    @property
    def related(self) -> Sequence[str]: ...
    @property
    def sources(self) -> Sequence[SourceRef | None]: ...  # None: a reference that failed
    @property
    def outside_sources(self) -> Sequence[str]: ...


class ProgramRefs(Protocol):
    """What `catalog_issues` reads of a program (a `Program` has all of it)."""

    @property
    def id(self) -> str: ...
    @property
    def concepts(self) -> Sequence[str]: ...
    @property
    def steps(self) -> Sequence[Step]: ...
    @property
    def follow_ups(self) -> Sequence[FollowUp]: ...
    @property
    def role(self) -> Role | None: ...
    @property
    def menu_order(self) -> int | None: ...  # None: missing or invalid (reported elsewhere)


def catalog_issues(
    concepts: Mapping[str, ConceptRefs],
    programs: Mapping[str, ProgramRefs],
    sources: Mapping[str, SourceDocument],
    *,
    unchecked_concepts: Collection[str] = (),
    unchecked_programs: Collection[str] = (),
    unchecked_sources: Collection[str] = (),
) -> list[CatalogIssue]:
    """Cross-reference problems of a whole catalog.

    The `unchecked_*` collections name entries that exist but failed validation;
    references to them are not reported as unknown. A failed concept or program may
    still be passed as a partial stand-in so that its own references are checked;
    the check-in contract is then not applied to it.
    """
    issues: list[CatalogIssue] = []

    def known_concept(slug: str) -> bool:
        return slug in concepts or slug in unchecked_concepts

    def known_program(program_id: str) -> bool:
        return program_id in programs or program_id in unchecked_programs

    def known_source(key: str) -> bool:
        return key in sources or key in unchecked_sources

    for key, source in sources.items():
        if source.key != key:
            issues.append(
                CatalogIssue("source", key, f'source "{key}"', "key", "does not match its table")
            )

    synonym_owner: dict[str, str] = {}
    for slug, concept in concepts.items():
        entry = f'concept "{slug}"'
        if concept.slug != slug:
            issues.append(CatalogIssue("concept", slug, entry, "slug", "does not match its table"))
        for related in concept.related:
            if related == slug:
                issues.append(
                    CatalogIssue(
                        "concept", slug, entry, "related", "a card cannot relate to itself"
                    )
                )
            elif not known_concept(related):
                issues.append(
                    CatalogIssue(
                        "concept", slug, entry, "related", f'unknown concept slug "{related}"'
                    )
                )
        for number, ref in enumerate(concept.sources, start=1):
            if ref is not None and not known_source(ref.document):
                issues.append(
                    CatalogIssue(
                        "concept",
                        slug,
                        entry,
                        f"sources[{number}].document",
                        f'unknown source document "{ref.document}" (sources.toml has: '
                        f"{', '.join(sorted(sources)) or 'none'})",
                    )
                )
        for key in concept.outside_sources:
            outside = sources.get(key)
            if outside is None and not known_source(key):
                issues.append(
                    CatalogIssue(
                        "concept", slug, entry, "outside_sources", f'unknown source "{key}"'
                    )
                )
            elif outside is not None and outside.seed_file is not None:
                issues.append(
                    CatalogIssue(
                        "concept",
                        slug,
                        entry,
                        "outside_sources",
                        f'"{key}" is a seed document: cite it under sources with its lines',
                    )
                )
        for synonym in concept.synonyms:
            owner = synonym_owner.setdefault(synonym, slug)
            if owner != slug:
                issues.append(
                    CatalogIssue(
                        "concept",
                        slug,
                        entry,
                        "synonyms",
                        f'"{synonym}" is already a synonym of "{owner}"; a phrase may point '
                        "at one concept only",
                    )
                )

    for program_id, program in programs.items():
        entry = f'program "{program_id}"'
        if program.id != program_id:
            issues.append(
                CatalogIssue("program", program_id, entry, "id", "does not match its key")
            )
        for slug in program.concepts:
            if not known_concept(slug):
                issues.append(
                    CatalogIssue(
                        "program", program_id, entry, "concepts", f'unknown concept slug "{slug}"'
                    )
                )
        for number, follow_up in enumerate(program.follow_ups, start=1):
            if not known_program(follow_up.program):
                issues.append(
                    CatalogIssue(
                        "program",
                        program_id,
                        f"follow_up {number}",
                        "program",
                        f'unknown program "{follow_up.program}"',
                    )
                )
        if program.role is Role.CHECKIN and program_id not in unchecked_programs:
            issues.extend(
                CatalogIssue("program", program_id, issue.entry, issue.field, issue.message)
                for issue in _checkin_contract(program)
            )
    issues.extend(_shared_roles_and_places(programs))
    return issues


def _shared_roles_and_places(programs: Mapping[str, ProgramRefs]) -> list[CatalogIssue]:
    """A role belongs to one program, and a place in the menu to one program."""
    issues: list[CatalogIssue] = []
    role_owner: dict[Role, str] = {}
    place_owner: dict[int, str] = {}
    for program_id, program in programs.items():
        entry = f'program "{program_id}"'
        if program.role is not None:
            owner = role_owner.setdefault(program.role, program_id)
            if owner != program_id:
                issues.append(
                    CatalogIssue(
                        "program",
                        program_id,
                        entry,
                        "role",
                        f'program "{owner}" has role "{program.role}" already; '
                        "a role belongs to one program",
                    )
                )
        if program.menu_order is not None:
            owner = place_owner.setdefault(program.menu_order, program_id)
            if owner != program_id:
                issues.append(
                    CatalogIssue(
                        "program",
                        program_id,
                        entry,
                        "menu_order",
                        f'program "{owner}" has menu_order {program.menu_order} already; '
                        "give each program its own place in the menu",
                    )
                )
    return issues


def missing_roles(programs: Iterable[ProgramRefs], needs: Iterable[Role]) -> list[Role]:
    """The roles in `needs` that no program plays, in `Role` order."""
    played = {program.role for program in programs}
    wanted = set(needs)
    return [role for role in Role if role in wanted and role not in played]


def _checkin_contract(program: ProgramRefs) -> list[Issue]:
    """The weekly digest reads fixed step and option ids of the check-in (`Role.CHECKIN`)."""
    issues: list[Issue] = []
    steps = {step.id: step for step in program.steps}
    program_entry = f'program "{program.id}"'
    for step_id in CHECKIN_RATING_STEPS:
        step = steps.get(step_id)
        if step is None:
            issues.append(
                Issue(
                    program_entry, "steps", f'needs a rating step "{step_id}" (used by the digest)'
                )
            )
        elif step.kind is not StepKind.RATING or step.when is not None:
            issues.append(
                Issue(f'step "{step_id}"', "kind", "must be an unconditional rating step (digest)")
            )
    rupture = steps.get(CHECKIN_RUPTURE_STEP)
    if rupture is None:
        issues.append(
            Issue(
                program_entry,
                "steps",
                f'needs a choice step "{CHECKIN_RUPTURE_STEP}" (used by the digest)',
            )
        )
    elif rupture.kind is not StepKind.CHOICE or rupture.when is not None:
        issues.append(
            Issue(
                f'step "{CHECKIN_RUPTURE_STEP}"',
                "kind",
                "must be an unconditional choice step (digest)",
            )
        )
    elif set(rupture.option_ids) != set(CHECKIN_RUPTURE_OPTIONS):
        issues.append(
            Issue(
                f'step "{CHECKIN_RUPTURE_STEP}"',
                "options",
                "option ids must be exactly " + ", ".join(CHECKIN_RUPTURE_OPTIONS) + " (digest)",
            )
        )
    return issues
