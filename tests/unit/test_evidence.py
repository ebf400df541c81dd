"""Reflective accounts in each body's shape: the whole Markdown of each shipped profile
against its golden file (tests/data/evidence/<profile>.md, written out in full and reviewed),
and each .docx read back with python-docx: headings, styles and the clinician's words."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import docx
import pytest

from reflect_bot.domain.identifying import IdentifyingKind
from reflect_bot.domain.portfolio import build_evidence, flagged_answers
from reflect_bot.render import evidence_docx, evidence_markdown
from reflect_bot.render.formats import EVIDENCE_FORMATS
from tests.unit.evidence_support import (
    GIBBS_ANSWERS,
    GOLDEN_DIR,
    evidence_catalog,
    sample_evidence,
)

PROFILES = ["nmc", "hcpc", "gmc", "bacp", "psyba"]


@pytest.mark.parametrize("profile_id", PROFILES)
def test_markdown_matches_the_golden_file(profile_id: str) -> None:
    expected = (GOLDEN_DIR / f"{profile_id}.md").read_text(encoding="utf-8")
    assert evidence_markdown.render(sample_evidence(profile_id)).decode("utf-8") == expected


@pytest.mark.parametrize("profile_id", PROFILES)
def test_docx_has_one_heading_per_account_and_the_bodys_headings_under_each(
    profile_id: str,
) -> None:
    evidence = sample_evidence(profile_id)
    document = docx.Document(io.BytesIO(evidence_docx.render(evidence)))
    styled = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]

    assert styled[0] == ("Title", f"Reflective accounts: {evidence.profile.label}")
    accounts = [text for style, text in styled if style == "Heading 1"]
    assert accounts == [
        "Account 1: 2026-11-03 Tue 17:40 · Gibbs' reflective cycle",
        "Account 2: 2026-11-05 Thu 09:00 · Post-session check-in (incomplete)",
    ]
    titles = [heading.title for heading in evidence.profile.headings]
    assert [text for style, text in styled if style == "Heading 2"] == titles * 2
    # Every answer of the Gibbs reflection is there, word for word (line breaks kept).
    texts = [text for _, text in styled]
    for answer in GIBBS_ANSWERS.values():
        assert answer in texts
    assert evidence.profile.guidance_url in "\n".join(texts)
    # python-docx's template would name itself as the author; nobody is named.
    assert document.core_properties.author == ""


def test_the_nmc_docx_puts_each_answer_under_its_heading() -> None:
    evidence = sample_evidence("nmc")
    document = docx.Document(io.BytesIO(evidence_docx.render(evidence)))
    under: dict[str, list[str]] = {}
    heading = None
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style else ""
        if style == "Heading 1" and under:
            break  # the first account only
        if style == "Heading 2":
            heading = paragraph.text
            under[heading] = []
        elif heading is not None:
            under[heading].append(paragraph.text)
    nature, learned, changed, code = (h.title for h in evidence.profile.headings)
    assert under[nature] == [
        "Description: what happened?",
        GIBBS_ANSWERS["moment"],
        "Feelings: what went on in you?",
        GIBBS_ANSWERS["felt"],
    ]
    assert GIBBS_ANSWERS["why"] in under[learned]
    assert under[changed] == ["Action plan: what will you do?", GIBBS_ANSWERS["next_time"]]
    assert under[code] == ["Prioritise people; Preserve safety"]


def test_docx_carries_text_xml_cannot_and_markup_stays_literal() -> None:
    evidence = sample_evidence("gmc")
    first = evidence.accounts[0]
    part = first.parts[0]
    answer = part.answers[0]
    hostile = "<w:p>&amp; \x01 bell\x07 ]]> \r\nnext"
    patched_answer = type(answer)(
        step_id=answer.step_id, question=answer.question, kind="text", text=hostile
    )
    patched_part = type(part)(
        heading_id=part.heading_id, title=part.title, answers=(patched_answer,)
    )
    patched = type(first)(entry=first.entry, parts=(patched_part, *first.parts[1:]))
    evidence = type(evidence)(
        profile=evidence.profile, journal=evidence.journal, accounts=(patched,)
    )
    document = docx.Document(io.BytesIO(evidence_docx.render(evidence)))
    assert "<w:p>&amp; \ufffd bell\ufffd ]]> \nnext" in [p.text for p in document.paragraphs]


def test_each_evidence_format_names_itself_and_its_extension() -> None:
    assert {name: (f.EXTENSION, f.MEDIA_TYPE) for name, f in EVIDENCE_FORMATS.items()} == {
        "md": ("md", "text/markdown"),
        "docx": (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    }


def test_an_answer_to_a_step_no_longer_in_the_catalog_keeps_its_words() -> None:
    """A renamed step has no sections any more: its answer goes under the first heading
    rather than being dropped."""
    evidence = sample_evidence("gmc")
    catalog = evidence_catalog()
    entry = evidence.journal.entries[0]
    renamed = dataclasses.replace(
        entry, answers=(dataclasses.replace(entry.answers[-1], step_id="old_plan"),)
    )
    journal = dataclasses.replace(evidence.journal, entries=(renamed,))
    (account,) = build_evidence(journal, catalog.profile("gmc"), catalog=catalog).accounts
    assert [len(part.answers) for part in account.parts] == [1, 0, 0]
    assert [gap.heading for gap in account.lacks] == ["So what?", "Now what?"]


def test_answers_that_may_identify_someone_are_listed_before_export() -> None:
    evidence = sample_evidence("nmc")
    entry = evidence.journal.entries[0]
    named = dataclasses.replace(
        entry.answers[0], text="Mrs Okafor called from 07700 900123 after the session."
    )
    journal = dataclasses.replace(
        evidence.journal,
        entries=(dataclasses.replace(entry, answers=(named, *entry.answers[1:])),),
    )
    (flagged,) = flagged_answers(journal, today=date(2026, 11, 30))
    assert flagged.question == "Description: what happened?"
    assert IdentifyingKind.PHONE in flagged.found
