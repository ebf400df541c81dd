"""Broken content is reported precisely: file, entry, field and message, all at once.

Each folder under tests/data/prompts_broken/ is a small catalog with one kind of
defect (many-problems has several). A sound baseline of the same shape is built
in a temporary folder to show that the defect, not the scaffolding, is reported.
"""

from pathlib import Path

import pytest

from reflect_bot.catalog import CatalogError, Problem, check_catalog, load_catalog

SOURCES = """
[review]
label = "Review"
title = "A review used by the tests"
kind = "Literature review"
about = "Stands in for a real source document."
"""

CONCEPTS = """
[alpha]
name = "Alpha"
category = "alliance"
synonyms = ["alpha"]
summary = "A concept card used by the tests. It has two sentences."
in_the_room = "Do one small thing."
sources = [{ document = "review", section = "Introduction", lines = "1-2" }]
"""

DEMO = """
id = "demo"
title = "Demo"
purpose = "Exercise the loader."
duration_minutes = 2
concepts = ["alpha"]
intro = "A short test program. Leave out names."

[[steps]]
id = "mood"
kind = "choice"
question = "How did it go?"
options = [{ id = "good", label = "Well" }, { id = "bad", label = "Badly" }]

[[steps]]
id = "why"
kind = "text"
question = "What happened?"
when = { step = "mood", in = ["bad"] }
"""


def _strings(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


def test_the_baseline_shape_is_sound(tmp_path: Path) -> None:
    (tmp_path / "programs").mkdir()
    (tmp_path / "sources.toml").write_text(SOURCES)
    (tmp_path / "concepts.toml").write_text(CONCEPTS)
    (tmp_path / "programs" / "demo.toml").write_text(DEMO)
    assert check_catalog(tmp_path) == []
    catalog = load_catalog(tmp_path)
    assert catalog.program("demo").step_ids == ("mood", "why")


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "unknown-slug",
            [
                'unknown-slug/programs/demo.toml: program "demo" field "concepts": '
                'unknown concept slug "no-such-concept"'
            ],
            id="unknown-slug",
        ),
        pytest.param(
            "duplicate-step-id",
            [
                'duplicate-step-id/programs/demo.toml: step "why" field "id": '
                'duplicate step id "why"'
            ],
            id="duplicate-step-id",
        ),
        pytest.param(
            "duplicate-option-id",
            [
                'duplicate-option-id/programs/demo.toml: step "mood" field "options": '
                'duplicate option id "good"'
            ],
            id="duplicate-option-id",
        ),
        pytest.param(
            "duplicate-program-id",
            [
                'duplicate-program-id/programs/other.toml: program "demo" field "id": '
                'must match the file name ("other.toml")',
                'duplicate-program-id/programs/other.toml: program "demo" field "id": '
                'duplicate program id "demo" (also in duplicate-program-id/programs/demo.toml)',
            ],
            id="duplicate-program-id",
        ),
        pytest.param(
            "bad-condition",
            [
                'bad-condition/programs/demo.toml: step "why" field "when": '
                'step "mood" has no option "meh"',
                'bad-condition/programs/demo.toml: step "early" field "when": '
                'refers to step "late", which is not an earlier step of this program',
                'bad-condition/programs/demo.toml: step "after_text" field "when": '
                'step "why" is a text step; "in" needs a choice step',
            ],
            id="bad-condition",
        ),
        pytest.param(
            "empty-question",
            ['empty-question/programs/demo.toml: step "why" field "question": must not be empty'],
            id="empty-question",
        ),
        pytest.param(
            "rating-without-labels",
            [
                'rating-without-labels/programs/demo.toml: step "score" field "high_label": '
                "a rating step needs a label for 5 (the high end)"
            ],
            id="rating-without-labels",
        ),
        pytest.param(
            "choice-one-option",
            [
                'choice-one-option/programs/demo.toml: step "mood" field "options": '
                "a choice step needs at least 2 options (it has 1)"
            ],
            id="choice-one-option",
        ),
        pytest.param(
            "missing-caveat",
            [
                'missing-caveat/concepts.toml: concept "brain-area" field "caveat": '
                "neurobiology cards need a caveat saying the brain-area links are findings "
                "of the literature reviewed, not clinical tests"
            ],
            id="missing-caveat",
        ),
        pytest.param(
            "unknown-follow-up",
            [
                'unknown-follow-up/programs/demo.toml: follow_up 1 field "program": '
                'unknown program "nowhere"'
            ],
            id="unknown-follow-up",
        ),
        pytest.param(
            "checkin-contract",
            [
                "checkin-contract/programs/post-session-checkin.toml: "
                'program "post-session-checkin" field "steps": '
                'needs a rating step "bond" (used by the digest)'
            ],
            id="checkin-contract",
        ),
    ],
)
def test_broken_fixture_reports_the_precise_problem(
    broken_dir: Path, fixture: str, expected: list[str]
) -> None:
    assert _strings(check_catalog(broken_dir / fixture)) == expected


def test_problem_fields_are_structured(broken_dir: Path) -> None:
    [problem] = check_catalog(broken_dir / "empty-question")
    assert problem == Problem(
        file="empty-question/programs/demo.toml",
        entry='step "why"',
        field="question",
        message="must not be empty",
    )


def test_ids_must_fit_in_callback_data(broken_dir: Path) -> None:
    problems = check_catalog(broken_dir / "bad-ids")
    assert [(p.file, p.entry, p.field) for p in problems] == [
        ("bad-ids/programs/demo.toml", 'step "a_step_id_far_too_long_for_buttons"', "id"),
        ("bad-ids/programs/demo.toml", 'step "mood"', "options[1].id"),
    ]
    assert "at most 24 characters" in problems[0].message
    assert '"Good!" is not a valid option id' in problems[1].message


def test_toml_syntax_error_names_the_file_and_line(broken_dir: Path) -> None:
    [problem] = check_catalog(broken_dir / "toml-syntax")
    assert problem.file == "toml-syntax/programs/demo.toml"
    assert problem.entry is None and problem.field is None
    assert problem.message.startswith("invalid TOML: ")
    assert "line 2" in problem.message


def test_many_problems_are_reported_together(broken_dir: Path) -> None:
    folder = broken_dir / "many-problems"
    problems = _strings(check_catalog(folder))
    concepts = "many-problems/concepts.toml"
    demo = "many-problems/programs/demo.toml"
    assert problems == [
        f'{concepts}: concept "beta" field "synonyms[1]": "Beta" must be lower-case',
        f'{concepts}: concept "beta" field "sources[1].lines": '
        '"9-3": the range must run forwards from line 1',
        f'{concepts}: concept "beta" field "caveat": neurobiology cards need a caveat '
        "saying the brain-area links are findings of the literature reviewed, "
        "not clinical tests",
        f'{concepts}: concept "beta" field "related": unknown concept slug "gamma"',
        f'{concepts}: concept "beta" field "sources[2].document": '
        'unknown source document "book" (sources.toml has: review)',
        f'{concepts}: concept "beta" field "synonyms": "shared phrase" is already a '
        'synonym of "alpha"; a phrase may point at one concept only',
        "many-problems/programs/broken.toml: invalid TOML: "
        "Expected ']]' at the end of an array declaration (at line 2, column 8)",
        f'{demo}: program "demo" field "title": is required',
        f'{demo}: step "score" field "question": must not be empty',
        f'{demo}: step "score" field "low_label": a rating step needs a label for 1 (the low end)',
        f'{demo}: step "score" field "high_label": a rating step needs a label for 5 '
        "(the high end)",
        f'{demo}: program "demo" field "titel": is not a known field (check the spelling)',
        f'{demo}: step "why" field "when": refers to step "missing", which is not an '
        "earlier step of this program",
        f'{demo}: program "demo" field "concepts": unknown concept slug "no-such-concept"',
        f'{demo}: follow_up 1 field "program": unknown program "nowhere"',
    ]

    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    assert _strings(list(raised.value.problems)) == problems
    assert "15 problems" in str(raised.value)
    assert problems[0] in str(raised.value)


def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    problems = check_catalog(tmp_path / "nowhere")
    assert len(problems) == 1 and "folder not found" in problems[0].message


def test_missing_files_are_problems(tmp_path: Path) -> None:
    problems = _strings(check_catalog(tmp_path))
    name = tmp_path.name
    assert problems == [
        f"{name}/concepts.toml: file not found",
        f"{name}/programs: folder not found",
        f"{name}/sources.toml: file not found",
    ]


def test_outside_sources_must_be_known_and_not_seeded(tmp_path: Path) -> None:
    """A card's outside source must exist in sources.toml and not be a seed document."""
    (tmp_path / "programs").mkdir()
    seeded = SOURCES.replace('about = "Stands', 'seed_file = "review.txt"\nabout = "Stands')
    outside = '[bordin]\nlabel = "Bordin"\ntitle = "A paper"\nkind = "Paper"\nabout = "Outside."\n'
    (tmp_path / "sources.toml").write_text(f"{seeded}\n{outside}")
    (tmp_path / "programs" / "demo.toml").write_text(DEMO)
    card = CONCEPTS + 'outside_sources = ["bordin", "review", "nowhere"]\n'
    (tmp_path / "concepts.toml").write_text(card)

    where = f'{tmp_path.name}/concepts.toml: concept "alpha" field "outside_sources"'
    assert _strings(check_catalog(tmp_path)) == [
        f'{where}: "review" is a seed document: cite it under sources with its lines',
        f'{where}: unknown source "nowhere"',
    ]
    (tmp_path / "concepts.toml").write_text(CONCEPTS + 'outside_sources = ["bordin"]\n')
    assert load_catalog(tmp_path).concept("alpha").outside_sources == ("bordin",)


def test_a_step_that_offers_support_must_be_skippable(tmp_path: Path) -> None:
    (tmp_path / "programs").mkdir()
    (tmp_path / "sources.toml").write_text(SOURCES)
    (tmp_path / "concepts.toml").write_text(CONCEPTS)
    (tmp_path / "programs" / "demo.toml").write_text(DEMO + "offers_support = true\n")

    [problem] = _strings(check_catalog(tmp_path))
    assert 'step "why"' in problem and "offers_support" in problem
    assert "must be optional" in problem
    fixed = DEMO + "offers_support = true\noptional = true\n"
    (tmp_path / "programs" / "demo.toml").write_text(fixed)
    assert load_catalog(tmp_path).program("demo").step("why").offers_support
