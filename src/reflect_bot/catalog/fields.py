"""The catalog's field types: identifiers, tidied text and the frozen base model.

Shared by `models` (cards, programs, the catalog) and `profiles` (portfolio profiles), so that
each can build on them without importing the other.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from reflect_bot.catalog.kinds import (
    MAX_OPTION_ID_LENGTH,
    MAX_OPTION_LABEL_LENGTH,
    MAX_SLUG_LENGTH,
    MAX_STEP_ID_LENGTH,
)

__all__ = [
    "CatalogModel",
    "Choice",
    "LineRange",
    "OptionId",
    "Slug",
    "StepId",
    "Synonym",
    "Text",
    "is_valid_slug",
]

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STEP_ID_RE = re.compile(r"[a-z][a-z0-9_]*")
_OPTION_ID_RE = re.compile(r"[a-z0-9][a-z0-9_]*")
_LINES_RE = re.compile(r"(\d+)(?:-(\d+))?")


# --------------------------------------------------------------------------- field types


def _tidy_text(value: str) -> str:
    """Strip, and re-flow each paragraph: single line breaks become spaces.

    Content authors may wrap long TOML strings over several lines; a blank line
    still separates paragraphs.
    """
    paragraphs = re.split(r"\n[ \t]*\n", value.strip())
    flowed = (" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs)
    text = "\n\n".join(p for p in flowed if p)
    if not text:
        raise PydanticCustomError("empty_text", "must not be empty")
    return text


def _check_slug(value: str) -> str:
    if not is_valid_slug(value):
        raise PydanticCustomError(
            "bad_slug",
            '"{value}" is not a valid id: use at most {max} characters a-z, 0-9 and single '
            "hyphens (e.g. 'rupture-repair')",
            {"value": value, "max": MAX_SLUG_LENGTH},
        )
    return value


def is_valid_slug(value: str) -> bool:
    """Whether `value` is a valid concept slug or program id."""
    return len(value) <= MAX_SLUG_LENGTH and _SLUG_RE.fullmatch(value) is not None


def _check_step_id(value: str) -> str:
    if len(value) > MAX_STEP_ID_LENGTH or not _STEP_ID_RE.fullmatch(value):
        raise PydanticCustomError(
            "bad_step_id",
            '"{value}" is not a valid step id: use at most {max} characters a-z, 0-9 and '
            "'_', starting with a letter (e.g. 'own_part')",
            {"value": value, "max": MAX_STEP_ID_LENGTH},
        )
    return value


def _check_option_id(value: str) -> str:
    if len(value) > MAX_OPTION_ID_LENGTH or not _OPTION_ID_RE.fullmatch(value):
        raise PydanticCustomError(
            "bad_option_id",
            '"{value}" is not a valid option id: use at most {max} characters a-z, 0-9 '
            "and '_' (e.g. 'withdrawal')",
            {"value": value, "max": MAX_OPTION_ID_LENGTH},
        )
    return value


def _check_synonym(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise PydanticCustomError("empty_text", "must not be empty")
    if text != text.lower():
        raise PydanticCustomError("synonym_case", '"{value}" must be lower-case', {"value": value})
    return text


def _check_lines(value: str) -> str:
    match = _LINES_RE.fullmatch(value.strip())
    if match is None:
        raise PydanticCustomError(
            "bad_lines",
            '"{value}" is not a line range: write e.g. "216-234" or "63"',
            {"value": value},
        )
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first < 1 or last < first:
        raise PydanticCustomError(
            "bad_lines", '"{value}": the range must run forwards from line 1', {"value": value}
        )
    return value.strip()


Text = Annotated[str, AfterValidator(_tidy_text)]
Slug = Annotated[str, AfterValidator(_check_slug)]
StepId = Annotated[str, AfterValidator(_check_step_id)]
OptionId = Annotated[str, AfterValidator(_check_option_id)]
Synonym = Annotated[str, AfterValidator(_check_synonym)]
LineRange = Annotated[str, AfterValidator(_check_lines)]


class CatalogModel(BaseModel):
    """Frozen, and refusing fields it does not know (a typo in content is an error)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
    )


class Choice(CatalogModel):
    """One option of a choice step (a button)."""

    id: OptionId
    label: Annotated[Text, Field(max_length=MAX_OPTION_LABEL_LENGTH)]
