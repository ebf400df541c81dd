"""A small, fixed catalog and stored reflections for the export tests.

Golden files must not change when the real content in prompts/ is edited, so these tests use
their own three concept cards and two programs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from reflect_bot.catalog import Catalog
from reflect_bot.domain.export import (
    ExportRequest,
    ExportScope,
    Journal,
    StoredAnswer,
    StoredReflection,
    build_journal,
)

_RATING = {"kind": "rating", "low_label": "Low", "high_label": "High"}


def _checkin() -> dict[str, Any]:
    steps: list[dict[str, Any]] = [
        {
            "id": "bond",
            "question": "How connected did you feel?",
            **_RATING,
            "low_label": "Distant",
            "high_label": "Close",
        },
        {"id": "goals", "question": "How aligned were your aims?", **_RATING},
        {"id": "tasks", "question": "How much did you agree on the work?", **_RATING},
        {"id": "overall", "question": "How was the relationship overall?", **_RATING},
        {
            "id": "rupture",
            "kind": "choice",
            "question": "Was there a rupture?",
            "options": [
                {"id": "none", "label": "No"},
                {"id": "withdrawal", "label": "Yes: the client pulled back"},
                {"id": "confrontation", "label": "Yes: the client pushed back"},
                {"id": "unsure", "label": "Not sure"},
            ],
        },
        {"id": "client_rating", "question": "What would your client give it?", **_RATING},
        {"id": "note", "kind": "text", "question": "Anything else?", "optional": True},
    ]
    return {
        "id": "post-session-checkin",
        "menu_order": 1,
        "role": "checkin",
        "title": "Post-session check-in",
        "purpose": "A quick look at the relationship.",
        "duration_minutes": 3,
        "concepts": ["therapeutic-alliance", "rupture-and-repair"],
        "intro": "A quick check.",
        "steps": steps,
    }


def _repair() -> dict[str, Any]:
    return {
        "id": "rupture-repair",
        "menu_order": 2,
        "role": "repair",
        "title": "Rupture repair",
        "purpose": "Think a repair through.",
        "duration_minutes": 10,
        "concepts": ["rupture-and-repair"],
        "intro": "Let's look at the strain.",
        "steps": [
            {"id": "moment", "kind": "text", "question": "What happened?"},
            {"id": "own_part", "kind": "text", "question": "What was your part in it?"},
        ],
    }


def _concept(slug: str, name: str, synonyms: list[str], summary: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "category": "alliance",
        "synonyms": synonyms,
        "summary": summary,
        "in_the_room": "Notice it.",
        "sources": [
            {
                "document": "review",
                "section": "Alliance",
                "lines": "10-12",
                "references": ["Bordin, 1979"],
            }
        ],
    }


def small_catalog() -> Catalog:
    """Three concept cards, the check-in and the repair program, one source document."""
    concepts = [
        _concept(
            "therapeutic-alliance",
            "The therapeutic alliance",
            ["alliance", "trust"],
            "The working partnership between client and therapist.",
        ),
        _concept(
            "rupture-and-repair",
            "Rupture and repair",
            ["rupture", "repair"],
            "A strain in the relationship, and mending it.\n\nRepairs can deepen trust.",
        ),
        _concept("empathy", "Empathy", ["empathy", "empathic"], "Sensing the client's world."),
    ]
    return Catalog.model_validate(
        {
            "concepts": {c["slug"]: c for c in concepts},
            "programs": {"post-session-checkin": _checkin(), "rupture-repair": _repair()},
            "sources": {
                "review": {
                    "key": "review",
                    "label": "Review",
                    "title": "A review of the alliance",
                    "authors": ["Ada Example"],
                    "year": 2018,
                    "kind": "Review",
                    "about": "The alliance.",
                }
            },
        }
    )


def checkin(
    reflection_id: int,
    started_at: datetime,
    *,
    ratings: tuple[int, int, int, int, int] = (4, 3, 4, 4, 3),
    rupture: str = "none",
    note: str | None = None,
    note_edited: bool = False,
    status: str = "completed",
    seconds: int = 200,
) -> StoredReflection:
    """A stored check-in; ratings are bond, goals, tasks, overall and client_rating."""
    questions = {
        "bond": "How connected did you feel?",
        "goals": "How aligned were your aims?",
        "tasks": "How much did you agree on the work?",
        "overall": "How was the relationship overall?",
        "client_rating": "What would your client give it?",
    }
    labels = {"none": "No", "withdrawal": "Yes: the client pulled back"}
    answers = [
        StoredAnswer(n, step, questions[step], "rating", rating=value)
        for n, (step, value) in enumerate(
            zip(("bond", "goals", "tasks", "overall"), ratings[:4], strict=True), 1
        )
    ]
    answers.append(
        StoredAnswer(
            5,
            "rupture",
            "Was there a rupture?",
            "choice",
            choice=rupture,
            choice_label=labels.get(rupture, rupture),
        )
    )
    answers.append(
        StoredAnswer(6, "client_rating", questions["client_rating"], "rating", rating=ratings[4])
    )
    if note is None:
        answers.append(StoredAnswer(7, "note", "Anything else?", "skipped"))
    else:
        answers.append(
            StoredAnswer(7, "note", "Anything else?", "text", text=note, edited=note_edited)
        )
    return StoredReflection(
        id=reflection_id,
        program_id="post-session-checkin",
        program_title="Post-session check-in",
        status=status,
        started_at=started_at,
        finished_at=started_at if status == "completed" else None,
        seconds_spent=seconds,
        answers=tuple(answers),
    )


def repair(
    reflection_id: int, started_at: datetime, moment: str, own_part: str, *, seconds: int = 480
) -> StoredReflection:
    return StoredReflection(
        id=reflection_id,
        program_id="rupture-repair",
        program_title="Rupture repair",
        status="completed",
        started_at=started_at,
        finished_at=started_at,
        seconds_spent=seconds,
        answers=(
            StoredAnswer(1, "moment", "What happened?", "text", text=moment),
            StoredAnswer(2, "own_part", "What was your part in it?", "text", text=own_part),
        ),
    )


EXPORTED_AT = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)
TODAY = date(2026, 11, 30)


def journal_of(
    reflections: list[StoredReflection],
    request: ExportRequest | None = None,
    *,
    author: str | None = "Ana Ruiz",
    zone: str = "Europe/Berlin",
) -> Journal:
    return build_journal(
        request
        or ExportRequest(ExportScope.RANGE, start=date(2026, 11, 1), end=date(2026, 11, 30)),
        reflections,
        catalog=small_catalog(),
        zone_name=zone,
        today=TODAY,
        exported_at=EXPORTED_AT,
        author=author,
    )
