"""A clinic deployment lets in only listed or invited people; a stranger gets one polite
message and leaves no row anywhere; an invite works once, until it expires."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from reflect_bot.cli import main
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import privacy
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness, running_bot
from tests.integration.privacy_world import count_rows

STRANGER = 3003
LATECOMER = 3004
CARD = "c-secure-base"


async def _no_rows(bot: Harness) -> None:
    counts = await count_rows(bot.services.sessions)
    assert counts == dict.fromkeys(counts, 0), counts


def _told(bot: Harness, user: int) -> list[str]:
    return [m.text or "" for m in bot.emulator.bot_messages(user)]


@pytest.fixture
async def listed(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str
) -> AsyncIterator[Harness]:
    async with running_bot(
        database_url=migrated_sqlite_url,
        data_dir=tmp_path,
        key=encryption_key,
        allowed_user_ids=[USER],
    ) as harness:
        yield harness


async def test_only_allowed_ids_get_in_and_a_stranger_leaves_no_row(listed: Harness) -> None:
    bot = listed
    await bot.say("/start", user=STRANGER)
    turned_away = await bot.expect("private to one practice", user=STRANGER)
    assert not turned_away.buttons
    for text in ("hello", "/checkin", f"/start {CARD}"):
        await bot.say(text, user=STRANGER)
    query = await bot.emulator.press_button(
        STRANGER, turned_away.message_id, "consent", strict=False
    )
    answer = await bot.emulator.wait_for_callback_answer(query)
    assert answer.text == texts.STRANGER_BUTTON
    await bot.emulator.wait_for_updates_consumed()
    await bot.emulator.assert_no_bot_message(STRANGER, within=0.3)
    assert len(_told(bot, STRANGER)) == 1, "one polite message, not one per attempt"
    await _no_rows(bot)

    await bot.onboard()  # the listed clinician is welcome
    await bot.say(f"/start {CARD}")
    await bot.expect("Secure base")


async def _create_invite(bot: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """`reflect-bot invite create`, as the operator runs it; returns the code it printed."""
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.setenv("REFLECT_DATABASE_URL", bot.settings.effective_database_url)
    monkeypatch.setenv("REFLECT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(
        "REFLECT_ENCRYPTION_KEYS",
        ",".join(k.get_secret_value() for k in bot.settings.encryption_keys),
    )
    output = tmp_path / "invite.out"

    def run() -> int:
        import contextlib

        with output.open("w") as out, contextlib.redirect_stdout(out):
            return main(["invite", "create", "--expires-days", "30"])

    assert await asyncio.to_thread(run) == 0
    printed = output.read_text()
    code = printed.split("/start ", 1)[1].split()[0]
    async with transaction(bot.services.sessions) as session:
        stored = await privacy.invites_exist(session)
    assert stored and code in printed
    return code


async def test_an_invite_lets_one_person_in_once(
    bot_on: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bot = bot_on
    await bot.say("/start", user=STRANGER)
    await bot.expect("Welcome", user=STRANGER)  # no invites, no list: an open deployment

    code = await _create_invite(bot, monkeypatch, tmp_path)
    await bot.say("/start", user=LATECOMER)
    await bot.expect("private to one practice", user=LATECOMER)
    await bot.say(f"/start {CARD}", user=LATECOMER)  # a card link is not an invite code
    await bot.emulator.assert_no_bot_message(LATECOMER, within=0.3)
    before = await count_rows(bot.services.sessions)

    await bot.say(f"/start {code.upper()}", user=LATECOMER)
    notice = await bot.expect("Welcome", user=LATECOMER)
    await bot.press(notice.button_texts[0], notice, user=LATECOMER)
    await bot.expect("Which time zone", user=LATECOMER)
    await bot.say("Europe/Berlin", user=LATECOMER)
    await bot.expect("You're all set", user=LATECOMER)
    await bot.say(f"/start {CARD}", user=LATECOMER)
    await bot.expect("Secure base", user=LATECOMER)

    # The same code again, from someone else: refused kindly, and nothing stored.
    await bot.say(f"/start {code}", user=USER)
    refused = await bot.expect("isn't valid", user=USER)
    assert "ask whoever invited you" in refused.text
    after = await count_rows(bot.services.sessions)
    assert after["clinician"] == before["clinician"] + 1  # the latecomer only


async def test_an_expired_invite_is_refused_kindly(bot: Harness) -> None:
    async with transaction(bot.services.sessions) as session:
        code = await privacy.create_invite(
            session, now=bot.clock.now(), expires_at=bot.clock.now() + timedelta(days=1)
        )
    bot.clock.advance(timedelta(days=1, seconds=1))
    before = await count_rows(bot.services.sessions)
    await bot.say(f"/start {code}", user=STRANGER)
    await bot.expect("isn't valid", user=STRANGER)
    await bot.say(f"/start {code}", user=STRANGER)  # every try at a code gets an answer
    await bot.expect("isn't valid", user=STRANGER)
    assert await count_rows(bot.services.sessions) == before
