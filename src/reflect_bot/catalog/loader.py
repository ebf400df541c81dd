"""Load and check the content folder (`prompts/`).

Layout::

    prompts/
      sources.toml            [review], [article]: the source documents
      concepts.toml           one [table] per concept card, the table name is its slug
      programs/<id>.toml      one reflection program per file, named after its id
      profiles/<id>.toml      one portfolio profile per file (optional folder)

`check_catalog` returns every problem it finds — TOML syntax, fields, identifiers,
cross-references, roles and menu order — each tied to a file, an entry (``concept "empathy"``,
``step "moves"``, ``follow_up 1``…) and a field. `load_catalog` returns the
`Catalog` or raises `CatalogError` listing all of them. List positions in field
names count from 1 (``sources[2].lines`` is the second source).

Every role of `Role` is needed by the bot, so a folder without a program for one of them has
a problem; `needs` narrows that for content made for other purposes (tests, drafts).
"""

import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reflect_bot.catalog.checks import (
    CatalogIssue,
    ConceptRefs,
    ProgramRefs,
    catalog_issues,
    missing_roles,
    program_issues,
)
from reflect_bot.catalog.kinds import Role
from reflect_bot.catalog.models import (
    Catalog,
    Concept,
    FollowUp,
    Program,
    SourceDocument,
    SourceRef,
    Step,
    is_valid_slug,
)
from reflect_bot.catalog.profiles import Profile

__all__ = [
    "CONCEPTS_FILE",
    "EVERY_ROLE",
    "PROFILES_DIR",
    "PROGRAMS_DIR",
    "SOURCES_FILE",
    "CatalogError",
    "Problem",
    "check_catalog",
    "default_prompts_dir",
    "load_catalog",
]

SOURCES_FILE = "sources.toml"
CONCEPTS_FILE = "concepts.toml"
PROGRAMS_DIR = "programs"
PROFILES_DIR = "profiles"

RawTable = dict[str, Any]
Locate = Callable[[tuple[int | str, ...]], tuple[str | None, str | None]]
_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, e.g.
    ``prompts/programs/rupture-repair.toml: step "moves" field "question": must not be empty``.
    """

    file: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.entry] if self.entry else []
        if self.field:
            where.append(f'field "{self.field}"')
        location = f"{self.file}: {' '.join(where)}" if where else self.file
        return f"{location}: {self.message}"


class CatalogError(Exception):
    """The content folder has problems; `.problems` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the catalog:\n{lines}")


def default_prompts_dir() -> Path:
    """The repository's `prompts/` folder, when running from a source checkout.

    (Installed elsewhere, the app passes the folder from REFLECT_PROMPTS_DIR.)
    """
    return Path(__file__).resolve().parents[3] / "prompts"


#: The roles the bot needs a program for: all of them.
EVERY_ROLE: frozenset[Role] = frozenset(Role)


def check_catalog(directory: Path, *, needs: Collection[Role] = EVERY_ROLE) -> list[Problem]:
    """Every problem of the content folder; an empty list when it is sound.

    `needs` are the roles some program must play (the bot needs every one).
    """
    return _Loader(Path(directory), needs).run()[1]


def load_catalog(directory: Path, *, needs: Collection[Role] = EVERY_ROLE) -> Catalog:
    """Load the content folder, or raise `CatalogError` listing every problem."""
    catalog, problems = _Loader(Path(directory), needs).run()
    if problems or catalog is None:
        raise CatalogError(problems)
    return catalog


# --------------------------------------------------------------------------- internals


class _Anything(Collection[str]):
    """Stands for the entries of a file that could not be read at all: any
    reference to it is taken as known, so one syntax error doesn't cascade."""

    def __contains__(self, item: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


_ANYTHING = _Anything()


class _Loader:
    def __init__(self, directory: Path, needs: Collection[Role]) -> None:
        self.directory = directory
        self.needs = needs
        self.problems: list[Problem] = []
        self.sources: dict[str, SourceDocument] = {}
        self.concepts: dict[str, Concept] = {}
        self.programs: dict[str, Program] = {}
        self.profiles: dict[str, Profile] = {}
        # Entries that exist but failed validation, and stand-ins used to still
        # check their cross-references.
        self.broken_sources: set[str] = set()
        self.broken_concepts: dict[str, _PartialConcept] = {}
        self.broken_programs: dict[str, _PartialProgram] = {}
        # Every concept and program in file order, valid or a stand-in.
        self.concept_refs: dict[str, ConceptRefs] = {}
        self.program_refs: dict[str, ProgramRefs] = {}
        self.unread_program_ids: set[str] = set()
        self.unread_sources = False
        self.unread_concepts = False
        self.unread_programs = False
        self.concept_file = self._label(directory / CONCEPTS_FILE)
        self.program_files: dict[str, str] = {}

    def run(self) -> tuple[Catalog | None, list[Problem]]:
        if not self.directory.is_dir():
            name = self.directory.name or str(self.directory)
            return None, [Problem(name, None, None, f"folder not found: {self.directory}")]
        self._load_sources()
        self._load_concepts()
        self._load_programs()
        self._load_profiles()
        self._cross_check()
        if self.problems:
            # Group by file (stable: within a file, in the order found).
            return None, sorted(self.problems, key=lambda problem: problem.file)
        try:
            catalog = Catalog(
                concepts=self.concepts,
                programs=self.programs,
                sources=self.sources,
                profiles=self.profiles,
            )
        except ValidationError as error:  # pragma: no cover - the checks above agree
            return None, [Problem(self.directory.name, None, None, str(error))]
        return catalog, []

    # ----------------------------------------------------------------- files

    def _label(self, path: Path) -> str:
        return f"{self.directory.name}/{path.relative_to(self.directory).as_posix()}"

    def _problem(self, file: str, entry: str | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(file, entry, field, message))

    def _read(self, path: Path) -> RawTable | None:
        label = self._label(path)
        if not path.is_file():
            self._problem(label, None, None, "file not found")
            return None
        try:
            with path.open("rb") as handle:
                return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            self._problem(label, None, None, f"invalid TOML: {error}")
        except (OSError, UnicodeDecodeError) as error:
            self._problem(label, None, None, f"cannot read the file: {error}")
        return None

    def _tables(self, data: RawTable, file: str, what: str) -> Iterable[tuple[str, RawTable]]:
        for key, value in data.items():
            if isinstance(value, dict):
                yield key, value
            else:
                self._problem(
                    file, f'{what} "{key}"', None, f"must be a table: start it with [{key}]"
                )

    # ----------------------------------------------------------------- sources

    def _load_sources(self) -> None:
        path = self.directory / SOURCES_FILE
        data = self._read(path)
        if data is None:
            self.unread_sources = True
            return
        file = self._label(path)
        for key, raw in self._tables(data, file, "source"):
            entry = f'source "{key}"'
            try:
                self.sources[key] = SourceDocument.model_validate({**raw, "key": key})
            except ValidationError as error:
                self.broken_sources.add(key)
                self._report(error, file, _within(entry))

    # ----------------------------------------------------------------- concepts

    def _load_concepts(self) -> None:
        path = self.directory / CONCEPTS_FILE
        data = self._read(path)
        if data is None:
            self.unread_concepts = True
            return
        file = self.concept_file
        for slug, raw in self._tables(data, file, "concept"):
            entry = f'concept "{slug}"'
            try:
                self.concepts[slug] = Concept.model_validate({**raw, "slug": slug})
                self.concept_refs[slug] = self.concepts[slug]
            except ValidationError as error:
                self._report(error, file, _within(entry))
                self.broken_concepts[slug] = _partial_concept(slug, raw)
                self.concept_refs[slug] = self.broken_concepts[slug]

    # ----------------------------------------------------------------- programs

    def _load_programs(self) -> None:
        folder = self.directory / PROGRAMS_DIR
        if not folder.is_dir():
            self._problem(f"{self.directory.name}/{PROGRAMS_DIR}", None, None, "folder not found")
            self.unread_programs = True
            return
        for path in sorted(folder.glob("*.toml")):
            data = self._read(path)
            if data is None:
                self.unread_program_ids.add(path.stem)
            else:
                self._load_program(path, data)

    def _load_program(self, path: Path, raw: RawTable) -> None:
        file = self._label(path)
        raw_id = raw.get("id")
        program_id = raw_id if isinstance(raw_id, str) and raw_id else path.stem
        program_entry = f'program "{program_id}"'
        raw_steps = raw.get("steps")
        step_list = raw_steps if isinstance(raw_steps, list) else []

        if isinstance(raw_id, str) and raw_id and raw_id != path.stem:
            self._problem(
                file, program_entry, "id", f'must match the file name ("{path.stem}.toml")'
            )
        duplicate = program_id in self.program_files
        if duplicate:
            self._problem(
                file,
                program_entry,
                "id",
                f'duplicate program id "{program_id}" (also in {self.program_files[program_id]})',
            )
        else:
            self.program_files[program_id] = file

        def locate(loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
            if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
                return _step_entry(step_list, loc[1]), _field_name(loc[2:])
            if len(loc) >= 2 and loc[0] == "follow_ups" and isinstance(loc[1], int):
                return f"follow_up {loc[1] + 1}", _field_name(loc[2:])
            return program_entry, _field_name(loc)

        try:
            program = Program.model_validate(raw)
        except ValidationError as error:
            reported = self._report(error, file, locate, skip_model_level=True)
        else:
            if not duplicate:
                self.programs[program_id] = program
                self.program_refs[program_id] = program
            return

        # Validate the pieces one by one so that problems *between* steps are
        # still found, and references to this program's concepts still checked.
        steps: list[Step] = []
        broken_steps: set[str] = set()
        for raw_step in step_list:
            try:
                steps.append(Step.model_validate(raw_step))
            except ValidationError:
                if isinstance(raw_step, dict) and isinstance(raw_step.get("id"), str):
                    broken_steps.add(raw_step["id"])
        follow_ups = _valid_items(FollowUp, raw.get("follow_ups"))
        issues = program_issues(program_id, steps, follow_ups, unchecked_steps=broken_steps)
        for issue in issues:
            self._problem(file, issue.entry, issue.field, issue.message)
        if not reported and not issues:  # pragma: no cover - defensive
            self._problem(file, program_entry, None, "is not valid")
        if duplicate:
            return
        self.broken_programs[program_id] = self.program_refs[program_id] = _PartialProgram(
            id=program_id,
            concepts=tuple(_valid_slugs(raw.get("concepts"))),
            steps=tuple(steps),
            follow_ups=tuple(follow_ups),
            role=_valid_role(raw.get("role")),
            menu_order=_valid_menu_order(raw.get("menu_order")),
        )

    # ----------------------------------------------------------------- profiles

    def _load_profiles(self) -> None:
        folder = self.directory / PROFILES_DIR
        if not folder.is_dir():
            return  # content without portfolio profiles (tests, drafts) is still sound
        places: dict[int, str] = {}
        for path in sorted(folder.glob("*.toml")):
            raw = self._read(path)
            if raw is None:
                continue
            file = self._label(path)
            raw_id = raw.get("id")
            entry = f'profile "{raw_id if isinstance(raw_id, str) and raw_id else path.stem}"'
            if raw_id != path.stem:
                self._problem(file, entry, "id", f'must match the file name ("{path.stem}.toml")')
                continue
            try:
                profile = Profile.model_validate(raw)
            except ValidationError as error:
                self._report(error, file, _within(entry))
                continue
            owner = places.setdefault(profile.menu_order, profile.id)
            if owner != profile.id:
                self._problem(
                    file,
                    entry,
                    "menu_order",
                    f'profile "{owner}" has menu_order {profile.menu_order} already',
                )
                continue
            self.profiles[profile.id] = profile

    # ----------------------------------------------------------------- cross references

    def _cross_check(self) -> None:
        issues = catalog_issues(
            self.concept_refs,
            self.program_refs,
            self.sources,
            unchecked_concepts=_ANYTHING if self.unread_concepts else set(self.broken_concepts),
            unchecked_programs=_ANYTHING
            if self.unread_programs
            else set(self.broken_programs) | self.unread_program_ids,
            unchecked_sources=_ANYTHING if self.unread_sources else self.broken_sources,
        )
        for issue in issues:
            self._problem(self._file_of(issue), issue.entry, issue.field, issue.message)
        # A program that could not be read at all might play the role: don't guess.
        if not self.unread_programs and not self.unread_program_ids:
            folder = f"{self.directory.name}/{PROGRAMS_DIR}"
            for role in missing_roles(self.program_refs.values(), self.needs):
                self._problem(
                    folder,
                    None,
                    "role",
                    f'no program has role "{role}", which the bot needs: '
                    f'add role = "{role}" to the program that plays it',
                )

    def _file_of(self, issue: CatalogIssue) -> str:
        if issue.owner == "program":
            return self.program_files.get(issue.key, f"{self.directory.name}/{PROGRAMS_DIR}")
        if issue.owner == "source":
            return f"{self.directory.name}/{SOURCES_FILE}"
        return self.concept_file

    # ----------------------------------------------------------------- pydantic errors

    def _report(
        self,
        error: ValidationError,
        file: str,
        locate: Locate,
        *,
        skip_model_level: bool = False,
    ) -> int:
        count = 0
        for detail in error.errors():
            loc = tuple(detail["loc"])
            if skip_model_level and not loc:
                continue
            entry, field = locate(loc)
            self._problem(file, entry, field, _message(detail))
            count += 1
        return count


def _within(entry: str) -> Locate:
    def locate(loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
        return entry, _field_name(loc)

    return locate


def _step_entry(raw_steps: Sequence[object], index: int) -> str:
    raw = raw_steps[index] if index < len(raw_steps) else None
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return f'step "{raw["id"]}"'
    return f"step {index + 1}"


def _field_name(loc: Sequence[int | str]) -> str | None:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part + 1}]"
        else:
            name += f".{part}" if name else part
    return name or None


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field (check the spelling)",
}


def _message(detail: ErrorDetails) -> str:
    message = _MESSAGES.get(detail["type"])
    if message is not None:
        return message
    text = detail["msg"].removeprefix("Value error, ")
    return text[:1].lower() + text[1:]


def _valid_items(model: type[_M], raw: object) -> list[_M]:
    items: list[_M] = []
    if isinstance(raw, list):
        for item in raw:
            try:
                items.append(model.model_validate(item))
            except ValidationError:
                continue
    return items


def _each_or_none(model: type[_M], raw: object) -> list[_M | None]:
    """Validate each item, keeping positions: None where an item is invalid."""
    items: list[_M | None] = []
    if isinstance(raw, list):
        for item in raw:
            try:
                items.append(model.model_validate(item))
            except ValidationError:
                items.append(None)
    return items


def _valid_slugs(raw: object) -> list[str]:
    slugs: list[str] = []
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, str) and is_valid_slug(item):
                slugs.append(item)
    return slugs


def _valid_role(raw: object) -> Role | None:
    try:
        return Role(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _valid_menu_order(raw: object) -> int | None:
    valid = isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1
    return raw if valid and isinstance(raw, int) else None


@dataclass(frozen=True, slots=True)
class _PartialConcept:
    """Stand-in for a concept card that failed validation: the parts needed to check
    its references (never returned to callers)."""

    slug: str
    synonyms: tuple[str, ...]
    related: tuple[str, ...]
    sources: tuple[SourceRef | None, ...]
    outside_sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _PartialProgram:
    """Stand-in for a program that failed validation (see `_PartialConcept`)."""

    id: str
    concepts: tuple[str, ...]
    steps: tuple[Step, ...]
    follow_ups: tuple[FollowUp, ...]
    role: Role | None
    menu_order: int | None


def _partial_concept(slug: str, raw: Mapping[str, object]) -> _PartialConcept:
    synonyms = raw.get("synonyms")
    return _PartialConcept(
        slug=slug,
        synonyms=tuple(s for s in synonyms if isinstance(s, str) and s.strip() and s == s.lower())
        if isinstance(synonyms, list)
        else (),
        related=tuple(_valid_slugs(raw.get("related"))),
        sources=tuple(_each_or_none(SourceRef, raw.get("sources"))),
        outside_sources=tuple(_valid_slugs(raw.get("outside_sources"))),
    )
