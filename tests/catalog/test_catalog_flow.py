"""Walking through programs: conditional steps, follow-ups, answers."""

from collections.abc import Mapping

import pytest
from pydantic import ValidationError

from reflect_bot.catalog import (
    Answer,
    Catalog,
    Category,
    Choice,
    Concept,
    Condition,
    Program,
    Role,
    SourceDocument,
    SourceRef,
    Step,
    StepKind,
)

RUPTURE_STEPS = {"rupture_what", "rupture_noticed", "rupture_named"}


def walk(program: Program, answers: Mapping[str, Answer]) -> list[str]:
    """The step ids a user is asked, in order, when answering with `answers`."""
    asked: list[str] = []
    step = program.next_step(None, answers)
    while step is not None:
        asked.append(step.id)
        step = program.next_step(step.id, answers)
    return asked


def checkin_answers(rupture: str) -> dict[str, Answer]:
    return {
        "bond": 4,
        "goals": 3,
        "tasks": 4,
        "overall": 4,
        "rupture": rupture,
        "rupture_what": "They went quiet after I suggested homework.",
        "rupture_noticed": "I sped up.",
        "rupture_named": "not_yet",
        "client_rating": 3,
        "client_asked": "no",
        "note": "",
    }


# --------------------------------------------------------------------------- check-in


def test_checkin_asks_rupture_questions_only_after_a_rupture(catalog: Catalog) -> None:
    checkin = catalog.program("post-session-checkin")

    calm = walk(checkin, checkin_answers("none"))
    assert calm[0] == "bond"
    assert not RUPTURE_STEPS & set(calm)
    assert calm[calm.index("rupture") + 1] == "client_rating"
    assert calm[calm.index("client_rating") + 1 :] == ["client_asked", "client_next_time", "note"]
    told = walk(checkin, {**checkin_answers("none"), "client_asked": "yes"})
    assert told[told.index("client_asked") + 1 :] == ["client_said", "client_reported", "note"]

    for kind in ("withdrawal", "confrontation", "unsure"):
        asked = walk(checkin, checkin_answers(kind))
        assert set(asked) >= RUPTURE_STEPS, kind
        after = asked[asked.index("rupture") + 1 :]
        assert set(after[: len(RUPTURE_STEPS)]) == RUPTURE_STEPS, kind


def test_next_step_before_the_rupture_is_answered(catalog: Catalog) -> None:
    checkin = catalog.program("post-session-checkin")
    partial: dict[str, Answer] = {"bond": 5, "goals": 5, "tasks": 5, "overall": 5}
    step = checkin.next_step("overall", partial)
    assert step is not None and step.id == "rupture" and step.kind is StepKind.CHOICE
    # Unanswered conditions don't hold: the rupture questions aren't applicable yet.
    assert not RUPTURE_STEPS & {s.id for s in checkin.applicable_steps(partial)}
    assert checkin.next_step("note", checkin_answers("none")) is None


def test_checkin_offers_rupture_repair_after_a_rupture(catalog: Catalog) -> None:
    checkin = catalog.program("post-session-checkin")
    assert checkin.follow_up(checkin_answers("none")) is None
    for kind in ("withdrawal", "confrontation", "unsure"):
        follow_up = checkin.follow_up(checkin_answers(kind))
        assert follow_up is not None and follow_up.program == "rupture-repair"
        assert follow_up.offer
        assert catalog.program(follow_up.program).steps


def test_applicable_steps_grow_with_a_rupture(catalog: Catalog) -> None:
    checkin = catalog.program("post-session-checkin")
    calm = [s.id for s in checkin.applicable_steps(checkin_answers("none"))]
    strained = [s.id for s in checkin.applicable_steps(checkin_answers("withdrawal"))]
    assert set(strained) - set(calm) == RUPTURE_STEPS
    assert [s for s in strained if s in calm] == calm


# --------------------------------------------------------------------------- rating conditions


def test_rating_condition_at_most(catalog: Catalog) -> None:
    repair = catalog.program("rupture-repair")
    low: dict[str, Answer] = {"rupture": "withdrawal", "readiness": 2}
    high: dict[str, Answer] = {"rupture": "withdrawal", "readiness": 4}
    assert "support" in walk(repair, low)
    assert "support" not in walk(repair, high)
    # Answers read back from storage as text still count as ratings.
    assert "support" in walk(repair, {"readiness": "1"})
    assert "support" not in walk(repair, {"readiness": "not a number"})


def test_rating_condition_at_least(catalog: Catalog) -> None:
    program = catalog.program("affect-labeling")
    assert "support" in walk(program, {"intensity_after": 5})
    assert "support" not in walk(program, {"intensity_after": 2})


def test_choice_condition_branches(catalog: Catalog) -> None:
    program = catalog.program("empathy-attunement")
    said = walk(program, {"named": "partly"})
    held_back = walk(program, {"named": "no"})
    assert "named_how" in said and "named_not" not in said
    assert "named_not" in held_back and "named_how" not in held_back


def test_unknown_step_id_is_an_error(catalog: Catalog) -> None:
    program = catalog.program("rupture-repair")
    with pytest.raises(KeyError):
        program.next_step("no_such_step", {})
    with pytest.raises(KeyError):
        program.step("no_such_step")
    with pytest.raises(KeyError):
        catalog.program("no-such-program")


# --------------------------------------------------------------------------- answers


def test_step_accepts_well_formed_answers(catalog: Catalog) -> None:
    checkin = catalog.program("post-session-checkin")
    bond, rupture, note = checkin.step("bond"), checkin.step("rupture"), checkin.step("note")
    assert bond.accepts(1) and bond.accepts(5) and bond.accepts("3")
    assert not bond.accepts(0) and not bond.accepts(6) and not bond.accepts(True)
    assert rupture.accepts("withdrawal") and not rupture.accepts("sulking")
    assert note.accepts("Felt rushed.") and not note.accepts("   ")


# --------------------------------------------------------------------------- built in code


def _choice_step(step_id: str = "mood") -> Step:
    return Step(
        id=step_id,
        kind=StepKind.CHOICE,
        question="How did it go?",
        options=(Choice(id="good", label="Well"), Choice(id="bad", label="Badly")),
    )


def test_program_built_in_code_honours_conditions() -> None:
    program = Program(
        id="demo",
        menu_order=1,
        title="Demo",
        purpose="Try it.",
        duration_minutes=1,
        concepts=("alpha",),
        intro="Hello.",
        steps=(
            _choice_step(),
            Step(
                id="why",
                kind=StepKind.TEXT,
                question="What happened?",
                when=Condition(step="mood", in_=("bad",)),
            ),
            Step(id="next", kind=StepKind.TEXT, question="What next?"),
        ),
    )
    assert walk(program, {"mood": "good"}) == ["mood", "next"]
    assert walk(program, {"mood": "bad"}) == ["mood", "why", "next"]


def test_program_refuses_a_condition_on_a_later_step() -> None:
    with pytest.raises(ValidationError, match="not an earlier step"):
        Program(
            id="demo",
            menu_order=1,
            title="Demo",
            purpose="Try it.",
            duration_minutes=1,
            concepts=("alpha",),
            intro="Hello.",
            steps=(
                Step(
                    id="why",
                    kind=StepKind.TEXT,
                    question="What happened?",
                    when=Condition(step="mood", in_=("bad",)),
                ),
                _choice_step(),
            ),
        )


def test_rating_step_needs_labels_and_condition_needs_a_kind() -> None:
    with pytest.raises(ValidationError, match="low_label"):
        Step(id="score", kind=StepKind.RATING, question="How much?", high_label="A lot")
    with pytest.raises(ValidationError, match="needs 'in'"):
        Condition(step="score")


def test_catalog_built_in_code_checks_references() -> None:
    source = SourceDocument(key="review", label="Review", title="T", kind="K", about="A.")
    concept = Concept(
        slug="alpha",
        name="Alpha",
        category=Category.ALLIANCE,
        synonyms=("alpha",),
        summary="One. Two.",
        in_the_room="Do it.",
        related=("beta",),
        sources=(SourceRef(document="review", section="Intro", lines="1"),),
    )
    with pytest.raises(ValidationError, match='unknown concept slug "beta"'):
        Catalog(concepts={"alpha": concept}, programs={}, sources={"review": source})


def _demo(program_id: str, menu_order: int, role: Role | None = None) -> Program:
    return Program(
        id=program_id,
        menu_order=menu_order,
        role=role,
        title=program_id.title(),
        purpose="Try it.",
        duration_minutes=1,
        concepts=("alpha",),
        intro="Hello.",
        steps=(Step(id="why", kind=StepKind.TEXT, question="What happened?"),),
    )


def test_catalog_built_in_code_lists_programs_by_menu_order_and_finds_roles() -> None:
    source = SourceDocument(key="review", label="Review", title="T", kind="K", about="A.")
    concept = Concept(
        slug="alpha",
        name="Alpha",
        category=Category.ALLIANCE,
        synonyms=("alpha",),
        summary="One. Two.",
        in_the_room="Do it.",
        sources=(SourceRef(document="review", section="Intro", lines="1"),),
    )
    catalog = Catalog(
        concepts={"alpha": concept},
        programs={"later": _demo("later", 2, Role.EMPATHY), "first": _demo("first", 1)},
        sources={"review": source},
    )
    assert [p.id for p in catalog.programs_in_menu_order()] == ["first", "later"]
    assert list(catalog.programs) == ["first", "later"]
    assert catalog.program_for(Role.EMPATHY).id == "later"
    assert catalog.program_id_for(Role.REPAIR) is None
    with pytest.raises(KeyError, match="no program has role 'repair'"):
        catalog.program_for(Role.REPAIR)

    with pytest.raises(ValidationError, match='program "a" has role "empathy" already'):
        Catalog(
            concepts={"alpha": concept},
            programs={"a": _demo("a", 1, Role.EMPATHY), "b": _demo("b", 2, Role.EMPATHY)},
            sources={"review": source},
        )
    with pytest.raises(ValidationError, match='program "a" has menu_order 1 already'):
        Catalog(
            concepts={"alpha": concept},
            programs={"a": _demo("a", 1), "b": _demo("b", 1)},
            sources={"review": source},
        )
