"""Operator commands keep the bot's discipline: nothing stored leaks into their DEBUG logs,
and the files they create (data folder, SQLite files) are the owner's alone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories.privacy import invite_hash
from reflect_bot.db.types import set_keys
from tests.integration.privacy_world import add_clinician

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte and time)


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    return subprocess.run(
        [sys.executable, "-m", "reflect_bot", *args],
        env={**clean, "REFLECT_LOG_LEVEL": "DEBUG", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_operator_commands_log_no_statement_parameters_at_debug(
    sessions: async_sessionmaker[AsyncSession], migrated_url: str, tmp_path: Path
) -> None:
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    set_keys([key_a])
    async with transaction(sessions) as session:
        await add_clinician(session, user=801, marker="LOGMARK", reflections=2)
    env = {"REFLECT_DATABASE_URL": migrated_url, "REFLECT_DATA_DIR": str(tmp_path)}

    rotated = _cli("keys", "rotate", env={**env, "REFLECT_ENCRYPTION_KEYS": f"{key_b},{key_a}"},
                   cwd=tmp_path)  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    invited = _cli("invite", "create", env={**env, "REFLECT_ENCRYPTION_KEYS": key_b}, cwd=tmp_path)
    assert invited.returncode == 0, invited.stderr
    code = invited.stdout.split("/start ", 1)[1].split()[0]
    migrated = _cli("migrate", env={**env, "REFLECT_ENCRYPTION_KEYS": key_b}, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr

    for result in (rotated, invited, migrated):
        assert FERNET_PREFIX not in result.stderr, "a ciphertext in the log"
        assert invite_hash(code) not in result.stderr, "the invite's hash in the log"
        assert code not in result.stderr


def test_the_data_folder_and_sqlite_files_are_the_owners_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    key = Fernet.generate_key().decode()
    old_umask = os.umask(0o022)  # a usual, permissive umask: the code must not rely on it
    try:
        result = _cli("migrate", env={"REFLECT_DATA_DIR": str(data),
                                      "REFLECT_ENCRYPTION_KEYS": key}, cwd=tmp_path)  # fmt: skip
    finally:
        os.umask(old_umask)
    assert result.returncode == 0, result.stderr
    assert _mode(data) == 0o700
    files = [p for p in data.iterdir() if p.name.startswith("reflect-bot.sqlite3")]
    assert files, list(data.iterdir())
    for path in files:
        assert _mode(path) == 0o600, (path.name, oct(_mode(path)))


def test_a_key_file_others_can_read_is_warned_about(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _cli("migrate", env={"REFLECT_DATA_DIR": str(data)}, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = data / "encryption.key"
    key_file.write_text(Fernet.generate_key().decode() + "\n", encoding="ascii")
    key_file.chmod(0o644)
    checked = _cli("keys", "check", env={"REFLECT_DATA_DIR": str(data)}, cwd=tmp_path)
    assert "readable by other users" in checked.stderr, checked.stderr
    assert "chmod 600" in checked.stderr
