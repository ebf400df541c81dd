"""`reflect-bot run` without a token starts the sandbox, prints where, and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

URL = re.compile(r"open (http://127\.0\.0\.1:\d+/) in your browser")
STARTUP_SECONDS = 30


def _environment(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
    return {**clean, "PYTHONUNBUFFERED": "1", **extra}


def _start(*args: str, cwd: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reflect_bot", *args],
        cwd=cwd,
        env=_environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_url(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    assert process.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:  # the process ended before printing the address
            _, stderr = process.communicate(timeout=5)
            raise AssertionError(f"no URL printed:\n{''.join(printed)}\n{stderr}")
        printed.append(line)
        found = URL.search(line)
        if found:
            return found.group(1), printed
    process.kill()
    raise AssertionError(f"no URL within {STARTUP_SECONDS} s:\n{''.join(printed)}")


def _stop(process: subprocess.Popen[str], signum: signal.Signals) -> tuple[str, str]:
    process.send_signal(signum)
    try:
        return process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


@pytest.mark.slow
def test_run_without_a_token_starts_the_sandbox_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    process = _start("run", cwd=tmp_path, REFLECT_SANDBOX_PORT="0")
    try:
        url, printed = _wait_for_url(process)
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200
            assert b"reflect-bot" in response.read()
    finally:
        stdout, stderr = _stop(process, signal.SIGINT)
    said = "".join(printed) + stdout
    assert "No REFLECT_BOT_TOKEN set — starting the local sandbox…" in said
    assert "@BotFather" in said and "export REFLECT_BOT_TOKEN=" in said
    assert process.returncode == 0, stderr
    assert "Sandbox stopped." in stdout
    assert "Traceback" not in stderr
    assert (tmp_path / "sandbox-data" / "reflect-bot.sqlite3").exists()


@pytest.mark.slow
def test_the_sandbox_command_stops_on_sigterm(tmp_path: Path) -> None:
    process = _start(
        "sandbox", "--port", "0", "--data-dir", str(tmp_path / "elsewhere"), cwd=tmp_path
    )
    try:
        url, _ = _wait_for_url(process)
        with urllib.request.urlopen(f"{url}_sandbox/info", timeout=5) as response:
            assert b'"time_travel": true' in response.read()
    finally:
        _, stderr = _stop(process, signal.SIGTERM)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "elsewhere" / "sandbox-state.json").exists()


def test_production_without_a_token_still_refuses_to_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reflect_bot", "run"],
        cwd=tmp_path,
        env=_environment(
            REFLECT_ENV="production", REFLECT_ENCRYPTION_KEYS=Fernet.generate_key().decode()
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "REFLECT_BOT_TOKEN is not set" in result.stderr
    assert "sandbox" not in result.stdout
    assert not (tmp_path / "sandbox-data").exists()
