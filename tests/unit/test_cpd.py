"""The CPD record's rules: what /cpd add reads, the period progress is counted over, the
totals per kind, the CSV a spreadsheet opens, and what /export reads for evidence."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from reflect_bot.catalog import CpdKind, default_prompts_dir, load_catalog
from reflect_bot.catalog.profiles import CpdRequirement
from reflect_bot.domain.cpd import (
    CpdEntry,
    CpdProblem,
    NewActivity,
    parse_activity,
    period_start,
    progress,
)
from reflect_bot.domain.export import (
    ExportArgumentError,
    ExportFormat,
    ExportProblem,
    ExportScope,
    parse_export_args,
)
from reflect_bot.render import cpd_csv
from reflect_bot.ui.callbacks import (
    AskChoice,
    ChoiceDone,
    ChooseProfile,
    ExportAs,
    ListProfiles,
    PickOption,
    PortfolioPress,
    decode_portfolio,
)
from reflect_bot.ui.portfolio import cpd_text

PSYBA = CpdRequirement(
    minutes=1800,
    years=1,
    of_kind=CpdKind.PEER_CONSULTATION,
    of_kind_minutes=600,
    source="Registration standard",
)
NMC = CpdRequirement(minutes=2100, years=3, source="How to revalidate")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "course 90 Working with ruptures",
            NewActivity(CpdKind.COURSE, 90, "Working with ruptures"),
        ),
        ("supervision 1h30 Monthly group", NewActivity(CpdKind.SUPERVISION, 90, "Monthly group")),
        (
            "Reading 45min Safran and Muran, ch. 3",
            NewActivity(CpdKind.READING, 45, "Safran and Muran, ch. 3"),
        ),
        (
            "peer consultation 2h Case group",
            NewActivity(CpdKind.PEER_CONSULTATION, 120, "Case group"),
        ),
        ("peer-consultation 20 Pairs", NewActivity(CpdKind.PEER_CONSULTATION, 20, "Pairs")),
        ("reflection 20 Logged by hand", CpdProblem.KIND),
        ("conference 60 A day out", CpdProblem.KIND),
        ("course ninety Ruptures", CpdProblem.MINUTES),
        ("course 0 Ruptures", CpdProblem.MINUTES),
        ("course 1441 Too long", CpdProblem.MINUTES),
        ("course 90", CpdProblem.TITLE),
        ("course 90 " + "x" * 201, CpdProblem.TITLE),
        ("course", CpdProblem.USAGE),
    ],
)
def test_what_cpd_add_reads(typed: str, expected: NewActivity | CpdProblem) -> None:
    assert parse_activity(typed.split(" ")) == expected


def test_the_period_is_the_requirements_years_up_to_today() -> None:
    assert period_start(date(2026, 11, 30), NMC) == date(2023, 12, 1)
    assert period_start(date(2026, 11, 30), PSYBA) == date(2025, 12, 1)
    assert period_start(date(2026, 11, 30), None) == date(2025, 12, 1)
    assert period_start(date(2028, 2, 29), PSYBA) == date(2027, 3, 1)


def test_progress_counts_the_period_only_and_the_part_of_one_kind() -> None:
    log = [
        CpdEntry(date(2025, 11, 30), CpdKind.COURSE, 600, "Before the period"),
        CpdEntry(date(2025, 12, 1), CpdKind.REFLECTION, 9, "Gibbs' reflective cycle"),
        CpdEntry(date(2026, 3, 2), CpdKind.PEER_CONSULTATION, 120, "Case group"),
        CpdEntry(date(2026, 11, 30), CpdKind.COURSE, 90, "Ruptures"),
    ]
    shown = progress(log, PSYBA, today=date(2026, 11, 30))
    assert (shown.since, shown.until, shown.minutes) == (date(2025, 12, 1), date(2026, 11, 30), 219)
    assert shown.by_kind == (
        (CpdKind.REFLECTION, 9),
        (CpdKind.COURSE, 90),
        (CpdKind.PEER_CONSULTATION, 120),
    )
    assert shown.of_kind_minutes == 120
    assert shown.remaining == 1800 - 219
    assert progress(log, None, today=date(2026, 11, 30)).remaining is None


def test_the_csv_opens_in_a_spreadsheet_as_written_and_runs_no_formula() -> None:
    log = [
        CpdEntry(date(2026, 11, 2), CpdKind.REFLECTION, 9, "Gibbs' reflective cycle"),
        CpdEntry(date(2026, 11, 3), CpdKind.COURSE, 90, 'Ruptures, "repair" and\nendings'),
        CpdEntry(date(2026, 11, 4), CpdKind.READING, 30, '=HYPERLINK("http://x")'),
        CpdEntry(date(2026, 11, 5), CpdKind.PEER_CONSULTATION, 60, "Über Grenzen"),
    ]
    data = cpd_csv.render(log)
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheet programs then read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["date", "kind", "minutes", "title"],
        ["2026-11-02", "Reflection", "9", "Gibbs' reflective cycle"],
        ["2026-11-03", "Course", "90", 'Ruptures, "repair" and\nendings'],
        ["2026-11-04", "Reading", "30", '\'=HYPERLINK("http://x")'],
        ["2026-11-05", "Peer consultation", "60", "Über Grenzen"],
    ]


TODAY = date(2026, 11, 30)
KNOWN = {"concepts": ("empathy",), "programs": ("gibbs-cycle",), "profiles": ("nmc", "gmc")}


@pytest.mark.parametrize(
    ("typed", "profile", "cpd", "format", "scope"),
    [
        ("", None, False, ExportFormat.MARKDOWN, ExportScope.ALL),
        ("nmc", "nmc", False, ExportFormat.MARKDOWN, ExportScope.ALL),
        ("NMC docx", "nmc", False, ExportFormat.DOCX, ExportScope.ALL),
        ("gmc word week", "gmc", False, ExportFormat.DOCX, ExportScope.WEEK),
        ("nmc 2026-01-01 2026-06-30 docx", "nmc", False, ExportFormat.DOCX, ExportScope.RANGE),
        ("nmc docx program gibbs-cycle", "nmc", False, ExportFormat.DOCX, ExportScope.PROGRAM),
        ("cpd", None, True, ExportFormat.CSV, ExportScope.ALL),
        ("cpd csv 2026-01-01 to 2026-06-30", None, True, ExportFormat.CSV, ExportScope.RANGE),
        ("md week", None, False, ExportFormat.MARKDOWN, ExportScope.WEEK),
    ],
)
def test_export_reads_a_profile_or_cpd_a_format_and_the_usual_range(
    typed: str, profile: str | None, cpd: bool, format: ExportFormat, scope: ExportScope
) -> None:
    request = parse_export_args(typed.split(), today=TODAY, **KNOWN)
    assert (request.profile, request.cpd, request.format, request.scope) == (
        profile,
        cpd,
        format,
        scope,
    )


@pytest.mark.parametrize(
    ("typed", "word"), [("docx", "docx"), ("cpd docx", "docx"), ("nmc csv", "csv"), ("csv", "csv")]
)
def test_a_format_the_target_does_not_come_in_is_refused(typed: str, word: str) -> None:
    with pytest.raises(ExportArgumentError) as caught:
        parse_export_args(typed.split(), today=TODAY, **KNOWN)
    assert (caught.value.problem, caught.value.typed) == (ExportProblem.FORMAT, word)


def test_portfolio_buttons_round_trip_within_telegrams_limit() -> None:
    presses: list[PortfolioPress] = [
        ChooseProfile("psyba"),
        ChooseProfile(None),
        ListProfiles(),
        ExportAs("nmc", "docx"),
        ExportAs("cpd", "csv"),
        AskChoice(2**31, "code_themes"),
        PickOption(2**31, "activity_type", "self_directed"),
        ChoiceDone(2**31, "code_themes"),
    ]
    for press in presses:
        data = press.encode()
        assert len(data.encode("utf-8")) <= 64
        assert decode_portfolio(data) == press
    for foreign in (
        "pf:k:x:code_themes",
        "pf:o:1:code_themes",
        "pf:z",
        "pf:",
        "rf:n:x",
        "pf:x:nmc",
    ):
        assert decode_portfolio(foreign) is None


def test_cpd_shows_the_requirement_with_its_source_and_a_check_your_rules_note() -> None:
    catalog = load_catalog(default_prompts_dir())
    psyba = catalog.profile("psyba")
    log = [
        CpdEntry(date(2026, 11, 2), CpdKind.REFLECTION, 9, "Gibbs' reflective cycle"),
        CpdEntry(date(2026, 11, 3), CpdKind.PEER_CONSULTATION, 60, "<b>Case</b> group"),
    ]
    text = cpd_text(progress(log, psyba.cpd, today=TODAY), psyba, ready=(), lacking=())
    assert "<b>Your CPD record</b>, 2025-12-01 to 2026-11-30" in text
    assert "69 min logged (1 h 09 min)" in text
    assert "PsyBA CPD asks for 1800 min (30 h 00 min) over a year: 1731 min to go." in text
    assert "Of these, peer consultation: 60 of 600 min." in text
    assert "Source: Registration standard: Continuing professional development: 30 hours" in text
    assert f'<a href="{psyba.guidance_url}">' in text
    assert "Counted over the last year up to today" in text
    assert "check your body's current rules" in text
    gmc = catalog.profile("gmc")
    text = cpd_text(progress(log, gmc.cpd, today=TODAY), gmc, ready=(), lacking=())
    assert "GMC / Academy: The GMC sets no CPD hours of its own" in text
    assert "asks for" not in text
