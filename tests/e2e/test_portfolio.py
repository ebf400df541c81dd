"""Portfolio evidence end to end: a clinician with the NMC profile completes a Gibbs cycle and
a check-in, logs a course, and gets an NMC .docx whose headings are the NMC form's and whose
text is their answers, and a CPD CSV that adds up to what /cpd shows."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import docx
import pytest
from sqlalchemy import select

from reflect_bot.catalog import StepKind
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import CpdActivity, EvidenceChoice, Reflection
from reflect_bot.db.repositories import clinicians
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness
from tests.e2e.privacy_support import rows_of
from tests.integration.journal_seed import seed_reflection
from tests.shipped import CHECKIN_PROGRAM_ID

GIBBS_TYPED = {
    "moment": "We sat in silence after I mentioned ending; then a quiet 'fine'.",
    "felt": "A drop in my stomach, and the urge to fill the gap.",
    "felt_client": "Perhaps left behind, and angry about it.",
    "went_well": "I stayed; I rushed to explain the dates, which closed it down.",
    "why": "Endings echo earlier losses for this client, and I dislike being the one who leaves.",
    "learned": "Silence after news of an ending is information, not a gap to fill.",
    "next_time": "Next session, name the silence and ask what the ending stirs up.",
}


async def download(bot: Harness, document: Any) -> bytes:
    async with aiohttp.ClientSession() as http:
        url = f"{bot.emulator.url}/_emulator/files/{document.file_id}"
        async with http.get(url) as response:
            assert response.status == 200
            return await response.read()


async def next_document(bot: Harness) -> Any:
    return await bot.emulator.wait_for_bot_message(
        USER, predicate=lambda m: m.document is not None, timeout=10
    )


async def test_nmc_accounts_and_cpd_log_from_a_gibbs_reflection_a_checkin_and_a_course(
    bot_on: Harness,
) -> None:
    bot = bot_on
    await bot.onboard()
    catalog = bot.services.catalog

    # The profile, picked by button.
    await bot.say("/profile")
    chooser = await bot.expect("portfolio profile")
    await bot.press("NMC revalidation", chooser)
    chosen = await bot.expect_edit(chooser)
    assert "NMC revalidation" in chosen.text

    # Gibbs' cycle, typed, two minutes per stage.
    gibbs = catalog.program("gibbs-cycle")
    await bot.say("/reflect gibbs-cycle")
    message = await bot.expect(gibbs.title)
    for step in gibbs.steps:
        assert step.kind is StepKind.TEXT and step.question in message.text
        bot.clock.advance(timedelta(minutes=2))
        await bot.say(GIBBS_TYPED[step.id])
        message = await bot.expect()
    assert "Thank you" in message.text

    # A check-in, by buttons.
    checkin = catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    first = await bot.expect(checkin.title)
    await bot.reflect_through(checkin, first)

    # A course, logged with /cpd add.
    await bot.say("/cpd add course 1h30 Working with endings")
    logged = await bot.expect("Logged")
    assert "Course, 90 min" in logged.text and "Working with endings" in logged.text

    await bot.say("/cpd")
    record = await bot.expect("Your CPD record")
    total = re.search(r"(\d+) min logged", record.text)
    assert total is not None
    shown_minutes = int(total.group(1))
    assert shown_minutes == 14 + 1 + 90  # seven stages at 2 min, a check-in's minute, the course
    assert "NMC revalidation asks for 2100 min" in record.text
    assert "check your body's current rules" in record.text
    assert "35 hours of CPD" in record.text  # the source, quoted
    # The check-in has nothing under "How did you change…" and no Code themes yet.
    assert "Still lacking something" in record.text
    assert "Gibbs' reflective cycle: answer “How is this relevant to the Code?”" in record.text

    # The Code themes, asked when missing: picked by button for the Gibbs reflection.
    gibbs_button = next(label for label in record.button_texts if "Gibbs" in label)
    assert gibbs_button.startswith("How is this relevant to the Code?")
    await bot.press(gibbs_button, record)
    themes = await bot.expect("Which themes of the NMC Code")
    await bot.press("Prioritise people", themes)
    themes = await bot.expect_edit(themes)
    await bot.press("Preserve safety", themes)
    themes = await bot.expect_edit(themes)
    assert "✓ Prioritise people" in themes.button_texts
    await bot.press("Done", themes)
    saved = await bot.expect_edit(themes)
    assert "Prioritise people; Preserve safety" in saved.text

    # The NMC accounts as a Word document.
    await bot.say("/export nmc docx")
    message = await next_document(bot)
    assert message.document.file_name.endswith(".docx")
    assert message.document.file_name.startswith("nmc-accounts-")
    document = docx.Document(io.BytesIO(await download(bot, message.document)))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    nmc = catalog.profile("nmc")
    headings = [text for style, text in paragraphs if style == "Heading 2"]
    assert headings == [heading.title for heading in nmc.headings] * 2  # two accounts
    assert headings[0].startswith("What was the nature of the CPD activity")
    written = [text for _, text in paragraphs]
    for answer in GIBBS_TYPED.values():
        assert answer in written
    # Each answer sits under the heading its stage feeds.
    nature = written.index(nmc.headings[0].title)
    learned = written.index(nmc.headings[1].title)
    changed = written.index(nmc.headings[2].title)
    assert nature < written.index(GIBBS_TYPED["moment"]) < learned
    assert learned < written.index(GIBBS_TYPED["why"]) < changed
    assert changed < written.index(GIBBS_TYPED["next_time"])
    code = written.index(nmc.headings[3].title)
    assert written[code + 1] == "Prioritise people; Preserve safety"
    # The check-in still lacks its Code themes, and the clinician is told where to add them.
    still = await bot.expect("still need an answer")
    assert "1 of these accounts" in still.text and "/cpd" in still.text

    # The CPD log as CSV: it parses, and adds up to what /cpd showed.
    await bot.say("/export cpd csv")
    message = await next_document(bot)
    assert message.document.file_name.endswith(".csv")
    rows = list(
        csv.DictReader(io.StringIO((await download(bot, message.document)).decode("utf-8-sig")))
    )
    assert [row["kind"] for row in rows] == ["Reflection", "Reflection", "Course"]
    assert rows[2]["title"] == "Working with endings"
    assert sum(int(row["minutes"]) for row in rows) == shown_minutes


OTHER = 1002
CPD_MARKER = "Balint group on endings, zq-marker-51"


def _files_holding(folder: Path, needle: bytes) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def test_a_cpd_title_is_encrypted_never_logged_and_erased_by_forget(
    bot: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await bot.onboard()
    await bot.say(f"/cpd add peer consultation 45 {CPD_MARKER}")
    logged = await bot.expect("Logged")
    assert "Peer consultation, 45 min" in logged.text

    async with transaction(bot.services.sessions) as session:
        stored = (await session.execute(select(CpdActivity))).scalar_one()
    assert stored.title == CPD_MARKER  # decrypted by the column type
    assert _files_holding(tmp_path, CPD_MARKER.encode("utf-8")) == []
    assert CPD_MARKER not in caplog.text

    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press(texts.FORGET_BUTTON, confirm)
    await bot.expect("Everything I held about you is erased")
    assert await rows_of(bot.services.sessions, USER) == {}
    async with transaction(bot.services.sessions) as session:
        assert (await session.execute(select(CpdActivity))).first() is None


async def test_choice_buttons_naming_another_clinicians_reflection_do_nothing(
    bot: Harness,
) -> None:
    """A forged pf:o press for someone else's reflection stores nothing and says so."""
    await bot.onboard(user=OTHER)
    await bot.say("/reflect what-so-what", user=OTHER)
    await bot.expect("What? So what? Now what?", user=OTHER)
    await bot.onboard()
    await bot.say("/profile nmc")
    await bot.expect("NMC revalidation")
    async with transaction(bot.services.sessions) as session:
        theirs = (await session.execute(select(Reflection))).scalar_one()
    await bot.say("/help")
    own = await bot.expect("What I can do")
    for forged in (f"pf:k:{theirs.id}:code_themes", f"pf:o:{theirs.id}:code_themes:people"):
        query_id = await bot.emulator.press_button(USER, own.message_id, forged, strict=False)
        answer = await bot.emulator.wait_for_callback_answer(query_id)
        assert answer.text == texts.STALE_BUTTON
    await bot.emulator.assert_no_bot_message(USER, within=0.3)
    async with transaction(bot.services.sessions) as session:
        assert (await session.execute(select(EvidenceChoice))).first() is None


async def test_answers_that_may_identify_someone_are_listed_before_the_accounts(
    bot: Harness,
) -> None:
    await bot.onboard()
    program = bot.services.catalog.program("what-so-what")
    async with transaction(bot.services.sessions) as session:
        clinician = await clinicians.get_by_user(session, telegram_user_id=USER)
        assert clinician is not None and clinician.id is not None
        await seed_reflection(
            session,
            clinician_id=clinician.id,
            program=program,
            answers=[
                ("what", "Her husband rang me on 07700 900123 after the session."),
                ("my_part", "I took the call."),
                ("so_what", "Boundaries matter here."),
                ("matters", "The frame holds the work."),
                ("now_what", "Agree how contact works between sessions."),
            ],
            started_at=bot.clock.now() - timedelta(days=1),
        )
    await bot.say("/export gmc")
    warning = await bot.expect("Before you upload")
    assert "What? So what? Now what?" in warning.text
    assert program.step("what").question[:40] in warning.text
    assert "a phone number" in warning.text
    assert "07700" not in warning.text  # the detail itself is not repeated
    message = await next_document(bot)
    assert message.document.file_name.startswith("gmc-accounts-")
    assert message.document.file_name.endswith(".md")
