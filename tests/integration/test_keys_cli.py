"""`reflect-bot keys check|rotate` and the start-up key check, run as an operator runs them:
fresh processes that have imported nothing of ours, on SQLite and PostgreSQL.

Data is written in the test process under key A (through the models, as the bot writes it);
every command then runs in its own `python -m reflect_bot` process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.db import keyring
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, AnswerRevision, Clinician, CpdActivity
from reflect_bot.db.types import set_keys
from tests.integration.privacy_world import add_clinician

MARKER = "KEYCLI-5521"
NO_TELEGRAM = "http://127.0.0.1:9/bot"  # nothing listens: a bot that gets past its checks fails


def _env(url: str, keys: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    return {
        **clean,
        "REFLECT_DATABASE_URL": url,
        "REFLECT_ENCRYPTION_KEYS": keys,
        "REFLECT_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reflect_bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _rotate_until_the_first_batch_then_kill(*, env: dict[str, str], cwd: Path) -> bool:
    """`keys rotate` one row per transaction, killed with SIGKILL once a batch is committed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reflect_bot", "keys", "rotate", "--batch-size", "1"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "row(s) done" in first, f"no progress before exit: {first!r}"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        if process.stdout is not None:
            process.stdout.close()
    return process.returncode == -signal.SIGKILL


async def _read_everything(sessions: async_sessionmaker[AsyncSession]) -> list[str | None]:
    async with transaction(sessions) as session:
        values: list[str | None] = []
        for clinician in (await session.execute(select(Clinician))).scalars():
            values.append(clinician.display_name)
        for answer in (await session.execute(select(Answer).order_by(col(Answer.id)))).scalars():
            values += [answer.question, answer.text, answer.choice_label]
        for revision in (await session.execute(select(AnswerRevision))).scalars():
            values.append(revision.text)
        for activity in (await session.execute(select(CpdActivity))).scalars():
            values.append(activity.title)
    return values


async def _world_under(
    sessions: async_sessionmaker[AsyncSession], key: str, *, reflections: int = 3
) -> list[str | None]:
    set_keys([key])
    async with transaction(sessions) as session:
        await add_clinician(session, user=701, marker=MARKER, reflections=reflections)
        await add_clinician(session, user=702, marker=MARKER, reflections=2)
    return await _read_everything(sessions)


def _new_key() -> str:
    return Fernet.generate_key().decode("ascii")


async def test_check_with_the_wrong_key_fails_naming_the_count(
    sessions: async_sessionmaker[AsyncSession], migrated_url: str, tmp_path: Path
) -> None:
    key_a, key_b = _new_key(), _new_key()
    written = await _world_under(sessions, key_a)
    stored = sum(value is not None for value in written)

    wrong = _cli("keys", "check", env=_env(migrated_url, key_b, tmp_path), cwd=tmp_path)
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert f"{stored} value(s) cannot be decrypted" in wrong.stderr
    assert "Every stored value can be decrypted" not in wrong.stdout

    right = _cli("keys", "check", env=_env(migrated_url, key_a, tmp_path), cwd=tmp_path)
    assert right.returncode == 0, right.stderr
    assert "Every stored value can be decrypted" in right.stdout
    for result in (wrong, right):
        assert MARKER not in result.stdout + result.stderr


async def test_rotate_then_the_old_key_can_be_dropped(
    sessions: async_sessionmaker[AsyncSession], migrated_url: str, tmp_path: Path
) -> None:
    key_a, key_b = _new_key(), _new_key()
    written = await _world_under(sessions, key_a)

    rotated = _cli(
        "keys", "rotate", env=_env(migrated_url, f"{key_b},{key_a}", tmp_path), cwd=tmp_path
    )
    assert rotated.returncode == 0, rotated.stderr
    # Five reflections, one typed answer each: every one of them moved to key B.
    assert "answer.text: 5 value(s), 5 re-encrypted" in rotated.stdout

    only_new = _env(migrated_url, key_b, tmp_path)
    checked = _cli("keys", "check", env=only_new, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Every stored value can be decrypted" in checked.stdout

    set_keys([key_b])  # the old key is gone: every answer still reads
    assert await _read_everything(sessions) == written


async def test_a_rotation_killed_midway_finishes_when_run_again(
    sessions: async_sessionmaker[AsyncSession], migrated_url: str, tmp_path: Path
) -> None:
    key_a, key_b = _new_key(), _new_key()
    written = await _world_under(sessions, key_a, reflections=120)
    both = _env(migrated_url, f"{key_b},{key_a}", tmp_path)

    assert _rotate_until_the_first_batch_then_kill(env=both, cwd=tmp_path)

    halfway = await keyring.check(sessions, keys=[Fernet(key_b), Fernet(key_a)])
    assert sum(r.stale for r in halfway) > 0, "the kill came after the rotation ended"

    again = _cli("keys", "rotate", env=both, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    checked = _cli("keys", "check", env=_env(migrated_url, key_b, tmp_path), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    set_keys([key_b])
    assert await _read_everything(sessions) == written


async def test_the_bot_refuses_to_start_when_no_key_reads_the_stored_values(
    sessions: async_sessionmaker[AsyncSession], migrated_url: str, tmp_path: Path
) -> None:
    key_a, key_b = _new_key(), _new_key()
    await _world_under(sessions, key_a)
    extra = {"REFLECT_BOT_TOKEN": "123:TEST", "REFLECT_TELEGRAM_BASE_URL": NO_TELEGRAM}

    # A database written before the canary existed: the stored answers are what is checked.
    refused = _cli("run", env=_env(migrated_url, key_b, tmp_path, **extra), cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "None of the keys in REFLECT_ENCRYPTION_KEYS can read" in refused.stderr

    # With the right key the check passes and writes the canary (the bot then fails on
    # the missing Telegram, which is not this test's business).
    started = _cli("run", env=_env(migrated_url, key_a, tmp_path, **extra), cwd=tmp_path)
    assert "None of the keys" not in started.stderr
    async with transaction(sessions) as session:
        assert await keyring.canary_present(session)

    # Now the canary alone decides, even with no answers stored under the wrong key.
    webhook = _env(
        migrated_url,
        key_b,
        tmp_path,
        REFLECT_WEBHOOK_URL="https://bot.example/telegram",
        REFLECT_WEBHOOK_SECRET_TOKEN="s" * 40,
        **extra,
    )
    refused_webhook = _cli("webhook", env=webhook, cwd=tmp_path)
    assert refused_webhook.returncode == 2, refused_webhook.stderr
    assert "None of the keys in REFLECT_ENCRYPTION_KEYS can read" in refused_webhook.stderr


async def test_migrate_writes_the_canary_under_the_first_key(
    database_url: str, tmp_path: Path
) -> None:
    key_a, key_b = _new_key(), _new_key()
    migrated = _cli("migrate", env=_env(database_url, key_a, tmp_path), cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr

    checked = _cli("keys", "check", env=_env(database_url, key_b, tmp_path), cwd=tmp_path)
    assert checked.returncode == 1
    assert "key_canary.value: 1 value(s), 1 CANNOT BE DECRYPTED" in checked.stdout


async def test_a_key_walk_that_finds_no_encrypted_columns_refuses(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Finding nothing to check is an error, never a report that every value reads."""
    ring = [Fernet(_new_key())]
    with pytest.raises(keyring.NoEncryptedColumnsError):
        await keyring.check(sessions, keys=ring, columns=[])
    with pytest.raises(keyring.NoEncryptedColumnsError):
        await keyring.rotate(sessions, keys=ring, columns=[])
