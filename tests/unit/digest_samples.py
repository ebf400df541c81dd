"""A small, fixed catalog and week builders for the digest tests.

The golden tests use this catalog rather than prompts/, so editing real content never
changes what they expect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reflect_bot.catalog import Catalog
from reflect_bot.domain.digest import DoneReflection, RatingTally, RuptureReport, WrittenAnswer


def _rating(step_id: str) -> dict[str, Any]:
    return {
        "id": step_id,
        "kind": "rating",
        "question": f"{step_id}?",
        "low_label": "Low",
        "high_label": "High",
    }


def _text(step_id: str) -> dict[str, Any]:
    return {"id": step_id, "kind": "text", "question": f"{step_id}?"}


def _concept(
    slug: str, name: str, synonyms: list[str], document: str, section: str
) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "category": "alliance",
        "synonyms": synonyms,
        "summary": "A summary.",
        "in_the_room": "Something to try.",
        "sources": [{"document": document, "section": section, "lines": "1-2"}],
    }


def _program(
    program_id: str,
    title: str,
    concepts: list[str],
    steps: list[dict[str, Any]],
    role: str | None = None,
) -> dict[str, Any]:
    return {
        "id": program_id,
        "role": role,
        "title": title,
        "purpose": "A purpose.",
        "duration_minutes": 5,
        "concepts": concepts,
        "intro": "An intro.",
        "steps": steps,
    }


CHECKIN_STEPS = [
    *(_rating(step) for step in ("bond", "goals", "tasks", "overall")),
    {
        "id": "rupture",
        "kind": "choice",
        "question": "Rupture?",
        "options": [
            {"id": "none", "label": "No"},
            {"id": "withdrawal", "label": "Pulled back"},
            {"id": "confrontation", "label": "Pushed back"},
            {"id": "unsure", "label": "Not sure"},
        ],
    },
    _text("rupture_what"),
    _rating("client_rating"),
    _text("note"),
]


def small_catalog() -> Catalog:
    sources = {
        "review": {
            "key": "review",
            "label": "Review",
            "title": "A review",
            "kind": "Review",
            "about": "About.",
        },
        "article": {
            "key": "article",
            "label": "Article",
            "title": "An article",
            "kind": "Article",
            "about": "About.",
        },
    }
    concepts = [
        _concept(
            "therapeutic-alliance",
            "The therapeutic alliance",
            ["alliance", "trust", "bond"],
            "review",
            "Therapeutic Alliance",
        ),
        _concept(
            "rupture-and-repair",
            "Rupture and repair",
            ["rupture", "repair"],
            "article",
            "Ruptures & repair",
        ),
        _concept("empathy", "Empathy", ["empathy", "attuned"], "review", "Empathy"),
        _concept("secure-base", "Secure base", ["safe", "secure"], "review", "Attachment"),
        _concept(
            "therapist-attachment",
            "The therapist's own attachment",
            ["my attachment", "my history"],
            "review",
            "Attachment",
        ),
        _concept(
            "affect-labeling",
            "Affect labelling",
            ["named the feeling", "into words"],
            "review",
            "Affect labeling",
        ),
        _concept(
            "collaborative-empiricism",
            "Collaborative empiricism",
            ["homework", "experiment"],
            "article",
            "CBT",
        ),
    ]
    programs = [
        _program(
            "post-session-checkin",
            "Post-session check-in",
            ["therapeutic-alliance", "rupture-and-repair"],
            CHECKIN_STEPS,
            role="checkin",
        ),
        _program(
            "rupture-repair",
            "Rupture repair",
            ["rupture-and-repair", "empathy"],
            [_text("moment"), _text("first_step")],
            role="repair",
        ),
        _program(
            "empathy-attunement",
            "Empathy and attunement",
            ["empathy", "affect-labeling"],
            [_text("moment")],
            role="empathy",
        ),
        _program(
            "secure-base",
            "Secure base",
            ["secure-base", "therapist-attachment"],
            [_text("safe_because")],
            role="bond",
        ),
        _program(
            "collaborative-empiricism",
            "Collaborative empiricism",
            ["collaborative-empiricism", "therapeutic-alliance"],
            [_text("data")],
            role="collaboration",
        ),
    ]
    return Catalog.model_validate(
        {
            "sources": sources,
            "concepts": {c["slug"]: c for c in concepts},
            # The menu lists them as written here.
            "programs": {p["id"]: {**p, "menu_order": n} for n, p in enumerate(programs, 1)},
        }
    )


TITLES = {
    "post-session-checkin": "Post-session check-in",
    "rupture-repair": "Rupture repair",
    "empathy-attunement": "Empathy and attunement",
    "secure-base": "Secure base",
    "collaborative-empiricism": "Collaborative empiricism",
}


def done(
    reflection_id: int, program_id: str, finished_at: datetime, minutes: float = 3
) -> DoneReflection:
    return DoneReflection(
        reflection_id, program_id, TITLES[program_id], finished_at, int(minutes * 60)
    )


def wrote(reflection_id: int, text: str, position: int = 1) -> WrittenAnswer:
    return WrittenAnswer(reflection_id, position, text)


def rupture(reflection_id: int, kind: str) -> RuptureReport:
    return RuptureReport(reflection_id, kind)


def tallies(**per_step: tuple[int, int]) -> dict[str, RatingTally]:
    return {step: RatingTally(total, count) for step, (total, count) in per_step.items()}
