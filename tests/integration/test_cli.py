"""The reflect-bot command as an operator uses it."""

import base64
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    return subprocess.run(
        [sys.executable, "-m", "reflect_bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = _run("--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "webhook", "migrate", "prompts", "keys"):
        assert command in result.stdout


def test_a_bad_setting_stops_the_start_naming_the_variable(tmp_path: Path) -> None:
    result = _run("run", env={"REFLECT_TICK_SECONDS": "often"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "REFLECT_TICK_SECONDS" in result.stderr


def test_a_bad_encryption_key_stops_both_modes_at_start(tmp_path: Path) -> None:
    short_key = base64.urlsafe_b64encode(bytes(31)).decode("ascii")
    env = {
        "REFLECT_BOT_TOKEN": "123:TEST",
        "REFLECT_ENCRYPTION_KEYS": short_key,
        "REFLECT_WEBHOOK_URL": "https://bot.example/telegram",
        "REFLECT_WEBHOOK_SECRET_TOKEN": "secret",
    }
    for command in ("run", "webhook"):
        result = _run(command, env=env, cwd=tmp_path)
        assert result.returncode == 2
        assert "REFLECT_ENCRYPTION_KEYS: key 1 is not a Fernet key" in result.stderr
    assert not (tmp_path / "data").exists(), "nothing was created before the refusal"


def test_production_without_keys_refuses_to_start(tmp_path: Path) -> None:
    env = {"REFLECT_ENV": "production", "REFLECT_BOT_TOKEN": "123:TEST"}
    result = _run("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "REFLECT_ENCRYPTION_KEYS is required" in result.stderr


def test_keys_generate_prints_a_key_fernet_accepts(tmp_path: Path) -> None:
    result = _run("keys", "generate", env={}, cwd=tmp_path)
    assert result.returncode == 0
    Fernet(result.stdout.strip())


def test_postgres_run_refuses_until_migrated(postgres_url: str, tmp_path: Path) -> None:
    env = {"REFLECT_DATABASE_URL": postgres_url, "REFLECT_BOT_TOKEN": "123:TEST"}
    refused = _run("run", env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert "reflect-bot migrate" in refused.stderr

    migrated = _run("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout


def test_prompts_check_passes_on_the_shipped_content(tmp_path: Path) -> None:
    result = _run("prompts", "check", str(ROOT / "prompts"), env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_prompts_check_fails_on_a_broken_directory(tmp_path: Path) -> None:
    broken = ROOT / "tests" / "data" / "prompts_broken" / "many-problems"
    result = _run("prompts", "check", str(broken), env={}, cwd=tmp_path)
    assert result.returncode == 1
    assert "problem(s)" in result.stderr
