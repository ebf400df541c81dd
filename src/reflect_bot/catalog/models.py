"""The content catalog's shapes: concept cards, sources, reflection programs and the catalog.

Frozen pydantic v2 models that reject unknown fields. Field-level rules (identifier formats,
non-empty text, rating labels, choice options, the neurobiology caveat) live here, so errors
carry the field's location. Rules across entries (duplicate step ids, conditions pointing at
earlier steps, unknown concept slugs, roles and menu order…) live in `checks`; `Program` and
`Catalog` use them to refuse an inconsistent whole, and the loader to report each problem at
its precise place.
"""

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Self

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reflect_bot.catalog.checks import Issue, catalog_issues, describe, program_issues
from reflect_bot.catalog.fields import CatalogModel as _Model
from reflect_bot.catalog.fields import (
    Choice,
    LineRange,
    OptionId,
    Slug,
    StepId,
    Synonym,
    Text,
    is_valid_slug,
)
from reflect_bot.catalog.kinds import (
    ACTION_SECTIONS,
    RATING_MAX,
    RATING_MIN,
    Answer,
    Category,
    Role,
    Section,
    StepKind,
)
from reflect_bot.catalog.profiles import Profile

__all__ = [
    "Catalog",
    "Choice",
    "Concept",
    "Condition",
    "FollowUp",
    "Program",
    "Source",
    "SourceDocument",
    "SourceRef",
    "Step",
    "is_valid_slug",
]


# --------------------------------------------------------------------------- sources


class SourceDocument(_Model):
    """One of the documents the content is built from (see `prompts/sources.toml`)."""

    key: Slug
    label: Text
    title: Text
    authors: tuple[Text, ...] = ()
    publisher: Text | None = None
    year: int | None = None
    kind: Text
    about: Text
    citation: Text | None = None
    seed_file: str | None = None


Source = SourceDocument


class SourceRef(_Model):
    """Where a concept comes from: a section and line range of a source document."""

    document: Slug
    section: Text
    lines: LineRange
    references: tuple[Text, ...] = ()

    @property
    def first_line(self) -> int:
        return int(self.lines.split("-")[0])

    @property
    def last_line(self) -> int:
        return int(self.lines.split("-")[-1])


# --------------------------------------------------------------------------- concepts


class Concept(_Model):
    """A concept card. `slug` is the card's table name in `concepts.toml`."""

    slug: Slug
    name: Text
    category: Category
    synonyms: tuple[Synonym, ...]
    summary: Text
    in_the_room: Text
    related: tuple[Slug, ...] = ()
    sources: tuple[SourceRef, ...]
    #: Keys of sources.toml documents outside the seeds that the card also rests on
    #: (e.g. a claim the seeds don't make), cited by author and year on the card.
    outside_sources: tuple[Slug, ...] = ()
    caveat: Text | None = Field(default=None, validate_default=True)
    #: Sentences in clinicians' own words that touch this concept, and traps: sentences that
    #: use its trigger words in another sense. The concept recogniser learns from both.
    examples: tuple[Text, ...] = ()
    traps: tuple[Text, ...] = ()

    @field_validator("examples")
    @classmethod
    def _recognition_examples(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check_recognition_examples(value)
        return value

    @field_validator("traps")
    @classmethod
    def _recognition_traps(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        check_recognition_traps(value, info.data.get("examples"))
        return value

    @field_validator("synonyms")
    @classmethod
    def _distinct_synonyms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _refuse_empty(value, "synonym")
        _refuse_duplicates(value, "synonym")
        return value

    @field_validator("sources")
    @classmethod
    def _has_sources(cls, value: tuple[SourceRef, ...]) -> tuple[SourceRef, ...]:
        _refuse_empty(value, "source")
        return value

    @field_validator("related")
    @classmethod
    def _distinct_related(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _refuse_duplicates(value, "slug")
        return value

    @field_validator("caveat")
    @classmethod
    def _neurobiology_needs_caveat(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("category") is Category.NEUROBIOLOGY:
            raise PydanticCustomError(
                "missing_caveat",
                "neurobiology cards need a caveat saying the brain-area links are findings "
                "of the literature reviewed, not clinical tests",
            )
        return value

    def mentioned_in(self, text: str) -> bool:
        """Whether any synonym of this concept occurs in `text` as whole words."""
        normalised = _normalise_for_matching(text)
        return any(_synonym_pattern(s).search(normalised) for s in self.synonyms)


# --------------------------------------------------------------------------- recognition

#: A card with examples has this many (enough to recognise it, few enough to review).
MIN_EXAMPLES = 5
MAX_EXAMPLES = 10
MAX_TRAPS = 10
#: An example or trap is a sentence, long enough to carry a meaning.
MIN_EXAMPLE_WORDS = 4


def check_recognition_examples(examples: tuple[str, ...]) -> None:
    """A card's examples: none, or 5–10 distinct sentences of at least 4 words."""
    if examples and not MIN_EXAMPLES <= len(examples) <= MAX_EXAMPLES:
        raise PydanticCustomError(
            "example_count",
            "give {low}–{high} example sentences (there are {count})",
            {"low": MIN_EXAMPLES, "high": MAX_EXAMPLES, "count": len(examples)},
        )
    _check_sentences(examples, "example")


def check_recognition_traps(traps: tuple[str, ...], examples: tuple[str, ...] | None) -> None:
    """A card's traps: at most 10 distinct sentences, none also an example, only with examples."""
    if traps and examples is not None and not examples:
        raise PydanticCustomError("traps_alone", "traps need example sentences beside them")
    if len(traps) > MAX_TRAPS:
        raise PydanticCustomError(
            "trap_count",
            "give at most {high} traps (there are {count})",
            {"high": MAX_TRAPS, "count": len(traps)},
        )
    _check_sentences(traps, "trap")
    for trap in traps:
        if examples and trap in examples:
            raise PydanticCustomError(
                "trap_is_example", '"{value}" is both an example and a trap', {"value": trap}
            )


def _check_sentences(sentences: tuple[str, ...], what: str) -> None:
    _refuse_duplicates(sentences, what)
    for sentence in sentences:
        if len(sentence.split()) < MIN_EXAMPLE_WORDS:
            raise PydanticCustomError(
                "short_example",
                '{what} "{value}" is too short: write a sentence of at least {words} words',
                {"what": what, "value": sentence, "words": MIN_EXAMPLE_WORDS},
            )


def _refuse_empty(values: tuple[object, ...], what: str) -> None:
    # An after-validator rather than `min_length`: it only runs when every item is
    # valid, so a list whose items all fail doesn't also get reported as empty.
    if not values:
        raise PydanticCustomError("empty_list", "needs at least one {what}", {"what": what})


def _refuse_duplicates(values: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError(
                "duplicate", 'duplicate {what} "{value}"', {"what": what, "value": value}
            )
        seen.add(value)


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def _normalise_for_matching(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


@lru_cache(maxsize=1024)
def _synonym_pattern(synonym: str) -> re.Pattern[str]:
    words = (re.escape(word) for word in synonym.split())
    return re.compile(r"(?<![\w'])" + r"\s+".join(words) + r"(?![\w])")


# --------------------------------------------------------------------------- programs


def _as_rating(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


class Condition(_Model):
    """When a step (or follow-up) applies, judged by the answer to an earlier step.

    Either ``in`` (option ids of an earlier choice step) or ``at_most`` /
    ``at_least`` (bounds on an earlier rating step).
    """

    step: StepId
    in_: tuple[OptionId, ...] | None = Field(default=None, alias="in")
    at_most: int | None = Field(default=None, ge=RATING_MIN, le=RATING_MAX)
    at_least: int | None = Field(default=None, ge=RATING_MIN, le=RATING_MAX)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        uses_rating = self.at_most is not None or self.at_least is not None
        if self.in_ is not None and uses_rating:
            raise PydanticCustomError(
                "bad_condition", "use either 'in' (a choice) or 'at_most'/'at_least' (a rating)"
            )
        if self.in_ is None and not uses_rating:
            raise PydanticCustomError(
                "bad_condition", "needs 'in' (option ids) or 'at_most'/'at_least' (a rating)"
            )
        if self.in_ is not None:
            if not self.in_:
                raise PydanticCustomError("bad_condition", "'in' must list at least one option")
            _refuse_duplicates(self.in_, "option id")
        if self.at_most is not None and self.at_least is not None and self.at_least > self.at_most:
            raise PydanticCustomError("bad_condition", "'at_least' is greater than 'at_most'")
        return self

    @property
    def on_rating(self) -> bool:
        return self.in_ is None

    def holds(self, answers: Mapping[str, Answer]) -> bool:
        """True when the answer given to `step` meets the condition.

        An unanswered (skipped or not applicable) step never meets a condition.
        """
        if self.step not in answers:
            return False
        answer = answers[self.step]
        if self.in_ is not None:
            return isinstance(answer, str) and answer in self.in_
        rating = _as_rating(answer)
        if rating is None:
            return False
        if self.at_most is not None and rating > self.at_most:
            return False
        return not (self.at_least is not None and rating < self.at_least)


class Step(_Model):
    """One question of a program."""

    id: StepId
    kind: StepKind
    question: Text
    optional: bool = False
    hint: Text | None = None
    low_label: Text | None = Field(default=None, validate_default=True)
    high_label: Text | None = Field(default=None, validate_default=True)
    options: tuple[Choice, ...] = Field(default=(), validate_default=True)
    when: Condition | None = None
    #: Asking this step (when its condition holds) is a moment to offer the deployment's
    #: support text: a strong feeling, one's own attachment history, a shaking rupture.
    offers_support: bool = False
    #: The reflective-model sections this step's answer serves (see `Section`).
    sections: tuple[Section, ...] = ()

    @property
    def is_action(self) -> bool:
        """The answer says what the clinician will do next (a learning goal)."""
        return any(section in ACTION_SECTIONS for section in self.sections)

    @field_validator("low_label", "high_label")
    @classmethod
    def _labels_for_ratings(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        end = "1 (the low end)" if info.field_name == "low_label" else "5 (the high end)"
        if kind is StepKind.RATING and value is None:
            raise PydanticCustomError(
                "missing_label", "a rating step needs a label for {end}", {"end": end}
            )
        if kind is not None and kind is not StepKind.RATING and value is not None:
            raise PydanticCustomError("stray_label", "only rating steps take labels")
        return value

    @field_validator("options")
    @classmethod
    def _options_for_choices(
        cls, value: tuple[Choice, ...], info: ValidationInfo
    ) -> tuple[Choice, ...]:
        kind = info.data.get("kind")
        if kind is StepKind.CHOICE and len(value) < 2:
            raise PydanticCustomError(
                "too_few_options",
                "a choice step needs at least 2 options (it has {count})",
                {"count": len(value)},
            )
        if kind is not None and kind is not StepKind.CHOICE and value:
            raise PydanticCustomError("stray_options", "only choice steps take options")
        _refuse_duplicates((option.id for option in value), "option id")
        return value

    @field_validator("offers_support")
    @classmethod
    def _support_steps_can_be_skipped(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("optional") is False:
            raise PydanticCustomError(
                "support_step_required",
                "a step that offers support must be optional: the clinician may skip it",
            )
        return value

    def option(self, option_id: str) -> Choice:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"step {self.id!r} has no option {option_id!r}")

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    def is_applicable(self, answers: Mapping[str, Answer]) -> bool:
        """Whether this step should be asked, given the answers so far."""
        return self.when is None or self.when.holds(answers)

    def accepts(self, answer: Answer) -> bool:
        """Whether `answer` is a well-formed answer to this step."""
        if self.kind is StepKind.CHOICE:
            return isinstance(answer, str) and answer in self.option_ids
        if self.kind is StepKind.RATING:
            rating = _as_rating(answer)
            return rating is not None and RATING_MIN <= rating <= RATING_MAX
        return isinstance(answer, str) and bool(answer.strip())


class FollowUp(_Model):
    """A program the bot offers right after this one is completed."""

    program: Slug
    when: Condition | None = None
    offer: Text | None = None

    def applies(self, answers: Mapping[str, Answer]) -> bool:
        return self.when is None or self.when.holds(answers)


class Program(_Model):
    """A reflection program: an ordered series of steps, some of them conditional."""

    id: Slug
    #: Where the program stands in /programs and anywhere else programs are listed (1 first).
    menu_order: int = Field(ge=1)
    #: What the code relies on this program for, if anything (see `Role`).
    role: Role | None = None
    title: Text
    purpose: Text
    duration_minutes: int = Field(ge=1, le=60)
    concepts: tuple[Slug, ...]
    intro: Text
    steps: tuple[Step, ...]
    follow_ups: tuple[FollowUp, ...] = ()

    @field_validator("concepts")
    @classmethod
    def _distinct_concepts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _refuse_empty(value, "concept slug")
        _refuse_duplicates(value, "concept")
        return value

    @field_validator("steps")
    @classmethod
    def _has_steps(cls, value: tuple[Step, ...]) -> tuple[Step, ...]:
        _refuse_empty(value, "step")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        issues = program_issues(self.id, self.steps, self.follow_ups)
        if issues:
            raise ValueError("; ".join(describe(issue) for issue in issues))
        return self

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(step.id for step in self.steps)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"program {self.id!r} has no step {step_id!r}")

    def next_step(self, after_step_id: str | None, answers: Mapping[str, Answer]) -> Step | None:
        """The next step to ask after `after_step_id` (None: the first), or None when done.

        Steps whose `when` condition does not hold for `answers` are skipped.
        """
        start = 0
        if after_step_id is not None:
            start = self.step_ids.index(self.step(after_step_id).id) + 1
        for step in self.steps[start:]:
            if step.is_applicable(answers):
                return step
        return None

    def applicable_steps(self, answers: Mapping[str, Answer]) -> list[Step]:
        """The steps that apply given `answers` (conditional steps whose condition is
        not met yet are left out)."""
        return [step for step in self.steps if step.is_applicable(answers)]

    def follow_up(self, answers: Mapping[str, Answer]) -> FollowUp | None:
        """The first follow-up whose condition holds for the completed answers."""
        for follow_up in self.follow_ups:
            if follow_up.applies(answers):
                return follow_up
        return None


class Catalog(_Model):
    """All content: concept cards, reflection programs and their source documents."""

    concepts: dict[str, Concept]
    #: In menu order, whatever order they were given in.
    programs: dict[str, Program]
    sources: dict[str, SourceDocument]
    #: Portfolio profiles (prompts/profiles/), in menu order; none in content made without.
    profiles: dict[str, Profile] = Field(default_factory=dict)

    @field_validator("programs")
    @classmethod
    def _in_menu_order(cls, value: dict[str, Program]) -> dict[str, Program]:
        return dict(sorted(value.items(), key=lambda item: (item[1].menu_order, item[0])))

    @field_validator("profiles")
    @classmethod
    def _profiles_in_menu_order(cls, value: dict[str, Profile]) -> dict[str, Profile]:
        return dict(sorted(value.items(), key=lambda item: (item[1].menu_order, item[0])))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        issues = catalog_issues(self.concepts, self.programs, self.sources)
        if issues:
            raise ValueError(
                "; ".join(
                    f"{issue.owner} {issue.key!r}: "
                    + describe(Issue(issue.entry, issue.field, issue.message))
                    for issue in issues
                )
            )
        return self

    def concept(self, slug: str) -> Concept:
        try:
            return self.concepts[slug]
        except KeyError:
            raise KeyError(f"unknown concept {slug!r}") from None

    def program(self, program_id: str) -> Program:
        try:
            return self.programs[program_id]
        except KeyError:
            raise KeyError(f"unknown program {program_id!r}") from None

    def programs_in_menu_order(self) -> list[Program]:
        """Every program, as the menu lists them."""
        return list(self.programs.values())

    def program_for(self, role: Role) -> Program:
        """The program that plays `role`; a loaded catalog has one for every role."""
        program_id = self.program_id_for(role)
        if program_id is None:
            raise KeyError(f"no program has role {role.value!r}")
        return self.programs[program_id]

    def program_id_for(self, role: Role) -> str | None:
        """The id of the program that plays `role`; None only in a catalog built in code
        without one (a loaded catalog has every role)."""
        for program_id, program in self.programs.items():
            if program.role is role:
                return program_id
        return None

    def profile(self, profile_id: str) -> Profile:
        try:
            return self.profiles[profile_id]
        except KeyError:
            raise KeyError(f"unknown profile {profile_id!r}") from None

    def source(self, key: str) -> SourceDocument:
        try:
            return self.sources[key]
        except KeyError:
            raise KeyError(f"unknown source {key!r}") from None

    def programs_for(self, concept_slug: str) -> list[Program]:
        """The programs that exercise a concept, in catalog order."""
        self.concept(concept_slug)
        return [p for p in self.programs.values() if concept_slug in p.concepts]

    def concepts_by_category(self) -> dict[Category, list[Concept]]:
        """Concept cards grouped by category (display order), empty categories left out."""
        groups: dict[Category, list[Concept]] = {category: [] for category in Category}
        for concept in self.concepts.values():
            groups[concept.category].append(concept)
        return {category: cards for category, cards in groups.items() if cards}

    def find_concepts(self, text: str) -> list[Concept]:
        """Concepts whose synonyms occur (as whole words, any case) in free text."""
        return [concept for concept in self.concepts.values() if concept.mentioned_in(text)]
