"""Portfolio profiles (prompts/profiles/): one per body, each citing its document, and
checked by `prompts check` like the rest of the content."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reflect_bot.catalog import Catalog, check_catalog, default_prompts_dir

SHIPPED_PROFILES = ["nmc", "hcpc", "gmc", "bacp", "psyba"]


def test_one_profile_per_body_in_menu_order(catalog: Catalog) -> None:
    assert list(catalog.profiles) == SHIPPED_PROFILES
    assert [p.menu_order for p in catalog.profiles.values()] == [1, 2, 3, 4, 5]


def test_every_profile_cites_its_document_and_says_how_far_it_was_checked(
    catalog: Catalog,
) -> None:
    """DESIGN promise 10: no requirement without a source the clinician can look up."""
    for profile in catalog.profiles.values():
        assert profile.guidance_url.startswith("https://"), profile.id
        assert profile.document and profile.body, profile.id
        assert "verify against the body's current guidance" in profile.checked_note, profile.id
        if profile.cpd is not None:
            assert profile.cpd.source, profile.id
        else:
            assert profile.cpd_note, profile.id


def test_every_step_of_every_program_has_a_place_in_every_profile(catalog: Catalog) -> None:
    for profile in catalog.profiles.values():
        for program in catalog.programs.values():
            for step in program.steps:
                assert profile.heading_for(step.sections) is not None, (
                    profile.id,
                    program.id,
                    step.id,
                )


def test_the_nmc_profile_has_the_forms_four_questions_and_the_code_themes(
    catalog: Catalog,
) -> None:
    nmc = catalog.profile("nmc")
    assert [heading.title for heading in nmc.headings] == [
        "What was the nature of the CPD activity and/or practice-related feedback and/or "
        "event or experience in your practice?",
        "What did you learn from the CPD activity and/or feedback and/or event or experience "
        "in your practice?",
        "How did you change or improve your practice as a result?",
        "How is this relevant to the Code?",
    ]
    themes = nmc.choice("code_themes")
    assert themes.several
    assert [option.label for option in themes.options] == [
        "Prioritise people",
        "Practise effectively",
        "Preserve safety",
        "Promote professionalism and trust",
    ]
    assert nmc.cpd is not None and (nmc.cpd.minutes, nmc.cpd.years) == (35 * 60, 3)


def test_the_gmc_profile_follows_what_so_what_now_what(catalog: Catalog) -> None:
    gmc = catalog.profile("gmc")
    assert [heading.title for heading in gmc.headings] == ["What?", "So what?", "Now what?"]
    assert gmc.cpd is None


def test_psyba_asks_for_part_of_the_hours_as_peer_consultation(catalog: Catalog) -> None:
    psyba = catalog.profile("psyba")
    assert psyba.cpd is not None
    assert psyba.cpd.of_kind == "peer_consultation"
    assert psyba.cpd.of_kind_minutes == 10 * 60


# --------------------------------------------------------------------------- problems


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(default_prompts_dir(), tmp_path / "prompts"))


def _rewrite(folder: Path, profile_id: str, old: str, new: str) -> None:
    path = folder / "profiles" / f"{profile_id}.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    return [str(problem) for problem in check_catalog(folder)]


def test_an_unknown_section_is_reported_at_its_heading(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "nmc", 'sections = ["action_plan"]', 'sections = ["plans"]')
    (problem,) = _problems(shipped_copy)
    assert problem.startswith(
        'prompts/profiles/nmc.toml: profile "nmc" field "headings[3].sections[1]": input should be'
    )


def test_a_heading_must_name_a_choice_the_profile_has(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "nmc", 'choice = "code_themes"', 'choice = "themes"')
    assert _problems(shipped_copy) == [
        'prompts/profiles/nmc.toml: profile "nmc": heading "code" names choice "themes", '
        "which the profile lacks"
    ]


def test_headings_must_give_every_step_a_place(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "gmc", 'sections = ["now_what"]', 'sections = ["so_what"]')
    (problem,) = _problems(shipped_copy)
    assert "must take every Gibbs stage or every one of what, so_what and now_what" in problem


def test_a_requirement_needs_its_source(shipped_copy: Path) -> None:
    _rewrite(
        shipped_copy,
        "bacp",
        'source = "BACP registered membership: at least 30 hours of CPD each membership year"\n',
        "",
    )
    assert _problems(shipped_copy) == [
        'prompts/profiles/bacp.toml: profile "bacp" field "cpd.source": is required'
    ]


def test_a_profile_without_a_url_or_checked_date_is_refused(shipped_copy: Path) -> None:
    _rewrite(shipped_copy, "psyba", "checked = 2026-12-04\n", "")
    _rewrite(
        shipped_copy,
        "psyba",
        'guidance_url = "https://www.psychologyboard.gov.au/Standards-and-Guidelines/'
        'Registration-Standards.aspx"',
        'guidance_url = "www.psychologyboard.gov.au"',
    )
    assert _problems(shipped_copy) == [
        'prompts/profiles/psyba.toml: profile "psyba" field "guidance_url": '
        '"www.psychologyboard.gov.au" is not an https:// address',
        'prompts/profiles/psyba.toml: profile "psyba" field "checked": is required',
    ]


def test_prompts_check_reports_a_broken_profile_as_a_fresh_process(
    shipped_copy: Path, tmp_path: Path
) -> None:
    _rewrite(shipped_copy, "hcpc", 'id = "hcpc"', 'id = "hpc"')
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
        'prompts/profiles/hcpc.toml: profile "hpc" field "id": must match the file name '
        '("hcpc.toml")' in result.stderr
    )
