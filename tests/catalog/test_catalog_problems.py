"""Broken content is reported precisely: file, entry, field and message, all at once.

Each folder under tests/data/prompts_broken/ is a small catalog with one kind of
defect (many-problems has several). A sound baseline of the same shape is built
in a temporary folder to show that the defect, not the scaffolding, is reported.
These small catalogs are not the bot's content, so they are checked without its roles
(`needs=()`); the role and menu-order rules have their own tests at the end.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reflect_bot.catalog import (
    CatalogError,
    Problem,
    Role,
    check_catalog,
    default_prompts_dir,
    load_catalog,
)

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
menu_order = 1
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
    assert check_catalog(tmp_path, needs=()) == []
    catalog = load_catalog(tmp_path, needs=())
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
    assert _strings(check_catalog(broken_dir / fixture, needs=())) == expected


def test_problem_fields_are_structured(broken_dir: Path) -> None:
    [problem] = check_catalog(broken_dir / "empty-question", needs=())
    assert problem == Problem(
        file="empty-question/programs/demo.toml",
        entry='step "why"',
        field="question",
        message="must not be empty",
    )


def test_ids_must_fit_in_callback_data(broken_dir: Path) -> None:
    problems = check_catalog(broken_dir / "bad-ids", needs=())
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
    assert _strings(check_catalog(tmp_path, needs=())) == [
        f'{where}: "review" is a seed document: cite it under sources with its lines',
        f'{where}: unknown source "nowhere"',
    ]
    (tmp_path / "concepts.toml").write_text(CONCEPTS + 'outside_sources = ["bordin"]\n')
    assert load_catalog(tmp_path, needs=()).concept("alpha").outside_sources == ("bordin",)


def test_a_step_that_offers_support_must_be_skippable(tmp_path: Path) -> None:
    (tmp_path / "programs").mkdir()
    (tmp_path / "sources.toml").write_text(SOURCES)
    (tmp_path / "concepts.toml").write_text(CONCEPTS)
    (tmp_path / "programs" / "demo.toml").write_text(DEMO + "offers_support = true\n")

    [problem] = _strings(check_catalog(tmp_path, needs=()))
    assert 'step "why"' in problem and "offers_support" in problem
    assert "must be optional" in problem
    fixed = DEMO + "offers_support = true\noptional = true\n"
    (tmp_path / "programs" / "demo.toml").write_text(fixed)
    assert load_catalog(tmp_path, needs=()).program("demo").step("why").offers_support


# --------------------------------------------------------------------------- roles and menu order


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped content, to break one thing in."""
    return Path(shutil.copytree(default_prompts_dir(), tmp_path / "prompts"))


def _rewrite(folder: Path, program_id: str, old: str, new: str) -> None:
    path = folder / "programs" / f"{program_id}.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_role_the_bot_needs_must_have_a_program(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "post-session-checkin", 'role = "checkin"\n', "")
    assert _strings(check_catalog(shipped_copy)) == [
        'prompts/programs: field "role": no program has role "checkin", which the bot '
        'needs: add role = "checkin" to the program that plays it'
    ]
    # Content for another purpose may leave the role out.
    assert check_catalog(shipped_copy, needs={Role.REPAIR}) == []


def test_a_role_belongs_to_one_program(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "rupture-repair", 'role = "repair"', 'role = "empathy"')
    assert _strings(check_catalog(shipped_copy)) == [
        'prompts/programs: field "role": no program has role "repair", which the bot '
        'needs: add role = "repair" to the program that plays it',
        'prompts/programs/rupture-repair.toml: program "rupture-repair" field "role": '
        'program "empathy-attunement" has role "empathy" already; a role belongs to one '
        "program",
    ]


def test_a_second_checkin_must_keep_the_checkin_contract(shipped_copy: Path) -> None:
    """Two check-ins: the second is refused, and the digest's contract applies to it too."""
    _rewrite(
        shipped_copy, "two-relationships", "menu_order = 1\n", 'menu_order = 1\nrole = "checkin"\n'
    )
    problems = _strings(check_catalog(shipped_copy))
    two = 'prompts/programs/two-relationships.toml: program "two-relationships"'
    assert problems[0] == (f'{two} field "steps": needs a rating step "bond" (used by the digest)')
    assert problems[-1] == (
        f'{two} field "role": program "post-session-checkin" has role "checkin" already; '
        "a role belongs to one program"
    )


def test_two_programs_cannot_share_a_place_in_the_menu(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "affect-labeling", "menu_order = 8", "menu_order = 3")
    assert _strings(check_catalog(shipped_copy)) == [
        'prompts/programs/rupture-repair.toml: program "rupture-repair" field "menu_order": '
        'program "affect-labeling" has menu_order 3 already; give each program its own '
        "place in the menu"
    ]


def test_menu_order_is_required_and_a_role_must_be_known(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "rogers-conditions", "menu_order = 6\n", 'role = "supervision"\n')
    assert _strings(check_catalog(shipped_copy)) == [
        'prompts/programs/rogers-conditions.toml: program "rogers-conditions" field '
        '"menu_order": is required',
        'prompts/programs/rogers-conditions.toml: program "rogers-conditions" field "role": '
        "input should be 'checkin', 'repair', 'empathy', 'bond' or 'collaboration'",
    ]


def test_prompts_check_names_file_entry_and_field(shipped_copy: Path, tmp_path: Path) -> None:
    """The operator's command, as a fresh process, on content with a broken role."""
    _rewrite(shipped_copy, "secure-base", 'role = "bond"', 'role = "checkin"')
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    result = subprocess.run(
        [sys.executable, "-m", "reflect_bot", "prompts", "check", str(shipped_copy)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert (
        'prompts/programs/secure-base.toml: program "secure-base" field "role": '
        'program "post-session-checkin" has role "checkin" already' in result.stderr
    )
    assert 'no program has role "bond"' in result.stderr
