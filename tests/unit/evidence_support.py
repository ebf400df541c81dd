"""A fixed journal laid out as evidence for each shipped profile.

The programs are the small export catalog's (tests/unit/export_support.py) with their steps
tagged, plus a short Gibbs program; the profiles are the shipped ones (prompts/profiles/), so
a change to a body's headings shows up in the golden files.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from reflect_bot.catalog import Catalog, default_prompts_dir, load_catalog
from reflect_bot.domain.export import (
    ExportRequest,
    ExportScope,
    StoredAnswer,
    StoredReflection,
    build_journal,
)
from reflect_bot.domain.portfolio import Evidence, build_evidence
from tests.unit.export_support import EXPORTED_AT, TODAY, checkin, small_catalog

GOLDEN_DIR = default_prompts_dir().parent / "tests" / "data" / "evidence"

_CHECKIN_SECTIONS = {
    "bond": ["evaluation", "so_what"],
    "goals": ["evaluation", "so_what"],
    "tasks": ["evaluation", "so_what"],
    "overall": ["evaluation", "so_what"],
    "rupture": ["description", "what"],
    "client_rating": ["evaluation", "so_what"],
    "note": ["conclusion", "so_what"],
}
_GIBBS_STEPS = (
    ("moment", "Description: what happened?", ["description", "what"]),
    ("felt", "Feelings: what went on in you?", ["feelings", "what"]),
    ("went_well", "Evaluation: what helped, what strained?", ["evaluation", "so_what"]),
    ("why", "Analysis: why did it unfold that way?", ["analysis", "so_what"]),
    ("learned", "Conclusion: what have you learned?", ["conclusion", "so_what"]),
    ("next_time", "Action plan: what will you do?", ["action_plan", "now_what"]),
)


def evidence_catalog() -> Catalog:
    small = small_catalog().model_dump(by_alias=True)
    for step in small["programs"]["post-session-checkin"]["steps"]:
        step["sections"] = _CHECKIN_SECTIONS[step["id"]]
    for step in small["programs"]["rupture-repair"]["steps"]:
        step["sections"] = (
            ["description", "what"] if step["id"] == "moment" else ["analysis", "so_what"]
        )
    gibbs: dict[str, Any] = {
        "id": "gibbs-cycle",
        "menu_order": 3,
        "title": "Gibbs' reflective cycle",
        "purpose": "Six stages.",
        "duration_minutes": 10,
        "concepts": ["therapeutic-alliance"],
        "intro": "One moment.",
        "steps": [
            {"id": step_id, "kind": "text", "question": question, "sections": sections}
            for step_id, question, sections in _GIBBS_STEPS
        ],
    }
    small["programs"]["gibbs-cycle"] = gibbs
    small["profiles"] = {
        key: profile.model_dump(by_alias=True)
        for key, profile in load_catalog(default_prompts_dir()).profiles.items()
    }
    return Catalog.model_validate(small)


GIBBS_ANSWERS = {
    "moment": "She said *nothing* for a minute,\nthen asked if I was <bored>.",
    "felt": "A jolt of shame # and then curiosity.",
    "went_well": "Naming the silence helped; rushing to reassure did not.",
    "why": "She expects people to tire of her [I think].",
    "learned": "Silence can be a test of whether I stay.",
    "next_time": "Stay with the pause for ten seconds before speaking.",
}


def gibbs(
    reflection_id: int, started_at: datetime, *, skip: tuple[str, ...] = ()
) -> StoredReflection:
    answers = tuple(
        StoredAnswer(n, step_id, question, "skipped")
        if step_id in skip
        else StoredAnswer(n, step_id, question, "text", text=GIBBS_ANSWERS[step_id])
        for n, (step_id, question, _) in enumerate(_GIBBS_STEPS, start=1)
    )
    return StoredReflection(
        id=reflection_id,
        program_id="gibbs-cycle",
        program_title="Gibbs' reflective cycle",
        status="completed",
        started_at=started_at,
        finished_at=started_at,
        seconds_spent=540,
        answers=answers,
    )


#: Picks for the NMC's and the BACP's choices, for the first reflection only.
PICKS = {1: {"code_themes": ("people", "safety"), "supervision": ("to_take",)}}


def sample_evidence(profile_id: str) -> Evidence:
    """Two reflections in November 2026: a full Gibbs cycle with every choice picked, and a
    check-in set aside unfinished with nothing picked."""
    catalog = evidence_catalog()
    journal = build_journal(
        ExportRequest(ExportScope.RANGE, start=date(2026, 11, 1), end=date(2026, 11, 30)),
        [
            gibbs(1, datetime(2026, 11, 3, 16, 40, tzinfo=UTC)),
            checkin(
                2,
                datetime(2026, 11, 5, 8, 0, tzinfo=UTC),
                rupture="withdrawal",
                note="Ask about the pause.",
                status="incomplete",
            ),
        ],
        catalog=catalog,
        zone_name="Europe/Berlin",
        today=TODAY,
        exported_at=EXPORTED_AT,
        author=None,
    )
    return build_evidence(journal, catalog.profile(profile_id), catalog=catalog, picks=PICKS)
