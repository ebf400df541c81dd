"""Portfolio profiles: the shape a regulator or professional body gives reflective evidence.

A profile (`prompts/profiles/<id>.toml`) names the body, the document its headings come
from, where that document is published and when the headings were last checked, and lists
the headings an account is laid out under. Each heading is fed by the reflective-model
sections (`Section`) of the steps whose answers belong there, or by a choice the body asks
for (e.g. the NMC Code themes). A CPD requirement, when the body sets one, carries its source.

The bot never claims a requirement it cannot cite (DESIGN promise 10): every profile has a
document, a URL and a checked date, and says how far that check went.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reflect_bot.catalog.fields import CatalogModel as _Model
from reflect_bot.catalog.fields import Choice, Slug, StepId, Text
from reflect_bot.catalog.kinds import (
    GIBBS_SECTIONS,
    THREE_QUESTIONS_SECTIONS,
    CpdKind,
    Section,
)

__all__ = [
    "MAX_PROFILE_LABEL_LENGTH",
    "CpdRequirement",
    "EvidenceChoice",
    "Heading",
    "Profile",
]

#: A profile's short label is a button caption and a word typed after /export.
MAX_PROFILE_LABEL_LENGTH = 24


def _check_url(value: str) -> str:
    if not value.startswith("https://") or " " in value:
        raise PydanticCustomError(
            "bad_url", '"{value}" is not an https:// address', {"value": value}
        )
    return value


Url = Annotated[str, AfterValidator(_check_url)]


class EvidenceChoice(_Model):
    """Something the body asks every account to state, picked from its own list (one or
    several options), asked when missing."""

    id: StepId
    question: Text
    options: tuple[Choice, ...]
    several: bool = False  # more than one option may be picked

    @field_validator("options")
    @classmethod
    def _enough_options(cls, value: tuple[Choice, ...]) -> tuple[Choice, ...]:
        if len(value) < 2:
            raise PydanticCustomError(
                "too_few_options",
                "a choice needs at least 2 options (it has {count})",
                {"count": len(value)},
            )
        ids = [option.id for option in value]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("duplicate", "option ids must differ")
        return value

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    def labels(self, option_ids: tuple[str, ...]) -> tuple[str, ...]:
        """The labels of the picked options, in the body's order (unknown ids left out)."""
        return tuple(option.label for option in self.options if option.id in option_ids)


class Heading(_Model):
    """One heading of the body's form, and what is written under it."""

    id: StepId
    title: Text
    #: The sections whose answers go under this heading (a step goes under the first
    #: heading that takes one of its sections).
    sections: tuple[Section, ...] = ()
    #: A choice of the profile answered under this heading instead of (or after) answers.
    choice: StepId | None = None

    @model_validator(mode="after")
    def _fed(self) -> Self:
        if not self.sections and self.choice is None:
            raise PydanticCustomError(
                "empty_heading", "a heading needs sections that feed it, or a choice"
            )
        return self


class CpdRequirement(_Model):
    """How much CPD the body asks for, over what period, as its document states it."""

    minutes: int = Field(ge=1)
    years: int = Field(ge=1, le=10)  # the period the minutes are counted over
    #: A part the body asks to be of one kind (e.g. peer consultation), when it does.
    of_kind: CpdKind | None = None
    of_kind_minutes: int | None = Field(default=None, ge=1)
    #: Where the requirement is stated, in words the clinician can look up.
    source: Text

    @model_validator(mode="after")
    def _part_whole(self) -> Self:
        if (self.of_kind is None) != (self.of_kind_minutes is None):
            raise PydanticCustomError(
                "cpd_part", "give both of_kind and of_kind_minutes, or neither"
            )
        if self.of_kind_minutes is not None and self.of_kind_minutes > self.minutes:
            raise PydanticCustomError("cpd_part", "of_kind_minutes exceeds minutes")
        return self


class Profile(_Model):
    """One body's portfolio shape (see the module docstring)."""

    id: Slug
    menu_order: int = Field(ge=1)
    label: Annotated[Text, Field(max_length=MAX_PROFILE_LABEL_LENGTH)]
    body: Text
    document: Text
    guidance_url: Url
    checked: date
    #: How far the check went, said honestly (e.g. from the form's headings only).
    checked_note: Text
    #: A line said at the top of an account, e.g. how many accounts the body asks for.
    about: Text
    headings: tuple[Heading, ...]
    choices: tuple[EvidenceChoice, ...] = ()
    cpd: CpdRequirement | None = None
    #: What to say about CPD hours when the body sets none of its own.
    cpd_note: Text | None = None

    @field_validator("headings")
    @classmethod
    def _has_headings(cls, value: tuple[Heading, ...]) -> tuple[Heading, ...]:
        if not value:
            raise PydanticCustomError("empty_list", "needs at least one heading")
        ids = [heading.id for heading in value]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("duplicate", "heading ids must differ")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        choice_ids = [choice.id for choice in self.choices]
        if len(set(choice_ids)) != len(choice_ids):
            raise PydanticCustomError("duplicate", "choice ids must differ")
        for heading in self.headings:
            if heading.choice is not None and heading.choice not in choice_ids:
                raise PydanticCustomError(
                    "unknown_choice",
                    'heading "{heading}" names choice "{choice}", which the profile lacks',
                    {"heading": heading.id, "choice": heading.choice},
                )
        fed = {section for heading in self.headings for section in heading.sections}
        if not (set(GIBBS_SECTIONS) <= fed or set(THREE_QUESTIONS_SECTIONS) <= fed):
            raise PydanticCustomError(
                "sections_uncovered",
                "the headings must take every Gibbs stage or every one of what, so_what and "
                "now_what, so that every step has a place",
            )
        if self.cpd is None and self.cpd_note is None:
            raise PydanticCustomError(
                "cpd_unsaid", "give a cpd requirement with its source, or a cpd_note"
            )
        return self

    def heading_for(self, sections: tuple[Section, ...]) -> Heading | None:
        """The heading a step with these sections goes under (None: it has no place)."""
        for heading in self.headings:
            if any(section in heading.sections for section in sections):
                return heading
        return None

    def choice(self, choice_id: str) -> EvidenceChoice:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(f"profile {self.id!r} has no choice {choice_id!r}")
