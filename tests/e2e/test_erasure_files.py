"""What /forget erases and "Replace my answer" replaces is gone from every SQLite file: the
database, its write-ahead log (-wal) and its index (-shm). The stored ciphertexts (readable
with the key beside them) are looked for byte for byte in whatever the data folder holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from reflect_bot.db.engine import transaction
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness

MARKER = "WALMARK-3301 a private sorrow"
NAMED = "My client Sarah went quiet; her email is sarah.k@example.org"

# Every encrypted value of one Telegram user's rows, as stored (tokens, not plaintext).
_TOKENS = """
SELECT c.display_name FROM clinician c WHERE c.telegram_user_id = :user
UNION ALL SELECT a.text FROM answer a JOIN reflection r ON a.reflection_id = r.id
  JOIN clinician c ON r.clinician_id = c.id WHERE c.telegram_user_id = :user
UNION ALL SELECT a.question FROM answer a JOIN reflection r ON a.reflection_id = r.id
  JOIN clinician c ON r.clinician_id = c.id WHERE c.telegram_user_id = :user
UNION ALL SELECT v.text FROM answer_revision v JOIN answer a ON v.answer_id = a.id
  JOIN reflection r ON a.reflection_id = r.id
  JOIN clinician c ON r.clinician_id = c.id WHERE c.telegram_user_id = :user
"""


async def _stored_tokens(bot: Harness) -> set[str]:
    async with transaction(bot.services.sessions) as session:
        rows = await session.execute(text(_TOKENS), {"user": USER})
        return {str(value) for (value,) in rows if value is not None}


def _files_holding(folder: Path, tokens: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits = [token[:12] for token in tokens if token.encode("ascii") in data]
            if hits:
                found[path.name] = hits
    return found


async def _feeling(bot: Harness, typed: str) -> Any:
    await bot.say("/reflect affect-labeling")
    first = await bot.expect("how strong is the feeling")
    await bot.press("4", first)
    await bot.expect("what is the feeling?")
    return await bot.say(typed)


async def test_forget_leaves_no_ciphertext_in_any_sqlite_file(bot: Harness, tmp_path: Path) -> None:
    await bot.onboard()
    sent = await _feeling(bot, MARKER)
    await bot.expect("Which family")
    await bot.emulator.edit_text(USER, sent["message_id"], MARKER + " (edited)")
    await bot.expect("updated that answer")
    tokens = await _stored_tokens(bot)
    assert len(tokens) >= 4, "name, question, answer and its earlier wording"
    assert _files_holding(tmp_path, tokens), "the test sees what is stored"

    await bot.say("/forget")
    confirm = await bot.expect("Erase everything I hold about you?")
    await bot.press(texts.FORGET_BUTTON, confirm)
    await bot.expect("erased")

    assert _files_holding(tmp_path, tokens) == {}


async def test_a_replaced_answer_leaves_no_ciphertext_in_any_sqlite_file(
    bot: Harness, tmp_path: Path
) -> None:
    await bot.onboard()
    sent = await _feeling(bot, NAMED)
    notice = await bot.expect("I noticed")
    await bot.expect("Which family")
    await bot.emulator.edit_text(USER, sent["message_id"], NAMED + " (edited)")
    await bot.expect("updated that answer")
    before = await _stored_tokens(bot)

    await bot.press(texts.REPLACE_ANSWER_BUTTON, notice)
    await bot.expect("send the new wording")
    await bot.say("A client went quiet when I named the pause.")
    await bot.expect("I've replaced that answer")

    replaced = before - await _stored_tokens(bot)
    assert len(replaced) == 2, "the answer as sent, and as edited"
    assert _files_holding(tmp_path, replaced) == {}
