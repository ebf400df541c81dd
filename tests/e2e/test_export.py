"""/export end to end: a check-in answered in chat comes back, downloaded from the emulator, as a
Markdown file that shows every word as typed; bad arguments and empty results get clear
replies; a large journal arrives in numbered parts; nobody else's chat ever gets it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from markdown_it import MarkdownIt

from reflect_bot.catalog import StepKind
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import clinicians
from tests.e2e.harness import USER, Harness, running_bot
from tests.integration.journal_seed import seed_reflection
from tests.shipped import CHECKIN_PROGRAM_ID

OTHER = 1002
# What the clinician types for the check-in's text steps: Markdown, HTML, a table, blank lines.
TYPED = {
    "rupture_what": "# She said *nothing*\n- then <b>left</b> early\n\n| a | b |\n|---|---|",
    "rupture_noticed": "1. Tight chest 😟\n> an urge to [fix](it) — `fast`",
    "client_said": "They said it felt *rushed* <at the end>.",
    "note": "Next time: slow down.",
}
EDITED_NOTE = "Next time: slow down *and* ask.\n\n---\nשלום"


async def check_in_typing(bot: Harness) -> dict[str, Any]:
    """/checkin with a rupture, typing TYPED for the text steps; returns the note message."""
    program = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    await bot.say("/checkin")
    message = await bot.expect(program.title)
    answers: dict[str, str | int] = {}
    sent: dict[str, Any] = {}
    step = program.next_step(None, answers)
    while step is not None:
        if step.kind is StepKind.TEXT:
            sent[step.id] = await bot.say(TYPED[step.id])
            answers[step.id] = TYPED[step.id]
        else:
            pick = "withdrawal" if step.id == "rupture" else None
            answers[step.id] = await bot.answer_step(step, message, pick=pick)
        message = await bot.expect()
        step = program.next_step(step.id, answers)
    return sent


async def download(bot: Harness, document: Any) -> str:
    """The file as the clinician's Telegram app would fetch it from the emulator."""
    async with aiohttp.ClientSession() as http:
        url = f"{bot.emulator.url}/_emulator/files/{document.file_id}"
        async with http.get(url) as response:
            assert response.status == 200
            return (await response.read()).decode("utf-8")


async def next_document(bot: Harness, *, user: int = USER) -> Any:
    return await bot.emulator.wait_for_bot_message(
        user, predicate=lambda m: m.document is not None, timeout=10
    )


def body_of(document: str) -> tuple[dict[str, Any], str]:
    end = document.index("\n---\n", 4)
    return yaml.safe_load(document[4:end]), document[end + 5 :]


def answers_as_rendered(body: str) -> dict[str, str]:
    """Each bold question's following paragraphs, as CommonMark renders them to text."""
    tokens = MarkdownIt("commonmark").parse(body)
    found: dict[str, str] = {}
    question = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            question = None
        if token.type != "inline" or tokens[index - 1].type != "paragraph_open":
            continue
        children = [c for c in token.children or [] if not (c.type == "text" and not c.content)]
        if children and children[0].type == "strong_open" and children[-1].type == "strong_close":
            question = children[1].content
            found[question] = ""
        elif question is not None:
            assert {c.type for c in children} <= {"text", "hardbreak", "em_open", "em_close"}
            text = "".join("\n" if c.type == "hardbreak" else c.content for c in children)
            found[question] += ("\n\n" if found[question] else "") + text
    return found


async def test_checkin_exported_as_typed_and_only_to_its_author(bot_on: Harness) -> None:
    bot = bot_on
    await bot.onboard()
    sent = await check_in_typing(bot)
    await bot.expect("thinking through a repair")  # the repair offer, left alone
    bot.clock.advance(timedelta(minutes=5))
    await bot.emulator.edit_text(USER, sent["note"]["message_id"], EDITED_NOTE)
    await bot.expect("updated that answer")

    await bot.say("/export")
    message = await next_document(bot)
    assert not message.protect_content  # the clinician must be able to save their file
    assert message.document.file_name == "journal-2026-11-02-2026-11-02.md"
    assert "2026-11-02 to 2026-11-02: 1 reflection." in message.caption
    front, body = body_of(await download(bot, message.document))

    assert front["reflections"] == 1 and front["ruptures"] == 1 and front["repairs"] == 0
    assert front["timezone"] == "Europe/London" and "author" not in front
    assert str(front["range_start"]) == "2026-11-02"
    program = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
    assert f"## 2026-11-02 Mon 09:00 · {program.title}" in body
    rendered = answers_as_rendered(body)
    assert rendered[program.step("rupture_what").question] == TYPED["rupture_what"]
    assert rendered[program.step("rupture_noticed").question] == TYPED["rupture_noticed"]
    assert rendered[program.step("client_said").question] == TYPED["client_said"]
    assert rendered[program.step("note").question] == EDITED_NOTE + " (edited)"
    assert rendered[program.step("bond").question].startswith("4/5 — ")
    assert "## Glossary" in body and "(#rupture-and-repair)" in body
    assert "https://t.me/reflect_test_bot?start=c-rupture-and-repair" in body

    # Someone else asking gets their own (empty) journal; the author's chat gets nothing new.
    await bot.onboard(user=OTHER)
    await bot.say("/export", user=OTHER)
    await bot.expect("Your journal is still empty", user=OTHER)
    assert not bot.emulator.documents(OTHER)
    assert len(bot.emulator.documents(USER)) == 1
    group = bot.emulator.group_chat(chat_id=-5001, title="Team")
    await bot.emulator.send_text(group.id, "/export", from_user=USER)
    await bot.emulator.wait_for_bot_message(group.id)  # "I only work in private chats"
    assert not bot.emulator.documents(group.id)
    assert len(bot.emulator.documents(USER)) == 1


async def test_bad_arguments_and_empty_results(bot: Harness) -> None:
    await bot.onboard()
    await bot.say("/export 2026-13-01 2026-11-30")
    await bot.expect("couldn't read “2026-13-01” as a date")
    await bot.say("/export 2026-11-30 2026-11-01")
    await bot.expect("/export 2026-11-01 2026-11-30")
    await bot.say("/export 2026-11-01")
    await bot.expect("Please give two dates")
    await bot.say("/export concept <b>nope</b>")
    reply = await bot.expect("I don't know a concept called")
    assert "<b>nope</b>" in reply.text and "rupture-and-repair" in reply.text
    await bot.say("/export program")
    await bot.expect("Which program?")
    await bot.say("/export yesterday")
    await bot.expect("I didn't understand “yesterday”")
    await bot.say("/export help")
    await bot.expect("/export week — this week")
    await bot.say("/export week")
    await bot.expect("no reflections from 2026-11-02 to 2026-11-08")
    await bot.say("/export program rupture-repair")
    await bot.expect("You have no “Rupture repair” reflections yet")
    assert not bot.emulator.documents(USER)


async def test_large_journal_arrives_in_numbered_parts(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str
) -> None:
    """With a 12 kB limit, 30 check-ins come as several files, split between reflections."""
    limit = 12_000
    async with running_bot(
        database_url=migrated_sqlite_url,
        data_dir=tmp_path,
        key=encryption_key,
        export_max_bytes=limit,
    ) as bot:
        await bot.onboard()
        program = bot.services.catalog.program(CHECKIN_PROGRAM_ID)
        async with transaction(bot.services.sessions) as session:
            clinician = await clinicians.get_by_user(session, telegram_user_id=USER)
            assert clinician is not None and clinician.id is not None
            for day in range(30):
                await seed_reflection(
                    session,
                    clinician_id=clinician.id,
                    program=program,
                    answers=[
                        ("bond", 3),
                        ("goals", 4),
                        ("tasks", 4),
                        ("overall", 3),
                        ("rupture", "none"),
                        ("client_rating", 4),
                        ("note", f"Day {day}: *fine*"),
                    ],
                    started_at=datetime(2026, 10, 1, 17, 0, tzinfo=UTC) + timedelta(days=day),
                )
        await bot.say("/export 2026-10-01 2026-10-30")
        note = await bot.expect("comes in")
        parts = int(note.text.split("comes in ")[1].split()[0])
        assert parts > 1
        messages = await bot.emulator.wait_for_bot_messages(USER, parts, timeout=10)
        headings: list[str] = []
        for number, message in enumerate(messages, start=1):
            assert message.document is not None
            assert message.document.file_name == (
                f"journal-2026-10-01-2026-10-30-part-{number}-of-{parts}.md"
            )
            assert message.document.size <= limit
            front, body = body_of(await download(bot, message.document))
            assert (front["part"], front["parts"], front["reflections"]) == (number, parts, 30)
            headings += [line for line in body.splitlines() if line.startswith("## 2026-")]
            assert body.rstrip().endswith("- Repair reflections completed: 0")
        assert len(headings) == 30 and headings == sorted(headings)
