"""The webhook server against a hostile client, over real HTTP and raw sockets: a slowloris
(headers or body sent a byte at a time), an idle kept-alive connection, a short secret, and
where it listens by default. Plus `reflect-bot keys generate --webhook-secret`."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from reflect_bot.config import Settings, SettingsError, get_settings
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.emulator import BotAPIEmulator
from reflect_bot.webhook import SECRET_HEADER, serving
from tests.e2e import harness
from tests.e2e.harness import DEFAULT_START

SECRET = "a-webhook-secret-of-the-right-length_0123456789"
IDLE_TIMEOUT = 1.0
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook_port(sqlite_url: str, tmp_path: Path, encryption_key: str) -> AsyncIterator[int]:
    from reflect_bot.app import build_application
    from reflect_bot.clock import FixedClock

    await asyncio.to_thread(upgrade_head, sqlite_url)
    async with BotAPIEmulator(token="123456:TEST-token") as emulator:
        port = _free_port()
        settings = harness.test_settings(
            emulator,
            sqlite_url,
            tmp_path,
            encryption_key,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_secret_token=SECRET,
            webhook_port=port,
            webhook_idle_timeout_seconds=IDLE_TIMEOUT,
        )
        app = build_application(settings, clock=FixedClock(DEFAULT_START), polling=False)
        async with serving(app, settings):
            yield port


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> float:
    """Seconds until the server closed the connection (read returned EOF or reset)."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(1024):
                pass
    except ConnectionResetError:
        pass
    return time.monotonic() - started


async def test_headers_sent_a_byte_at_a_time_are_cut_off(webhook_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", webhook_port)
    request = f"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\n{SECRET_HEADER}: {SECRET}\r\n"

    async def trickle() -> None:
        for byte in request.encode():
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.1)  # never finishes within the timeout

    sending = asyncio.create_task(trickle())
    try:
        waited = await _closed_within(reader, IDLE_TIMEOUT + 4)
    finally:
        sending.cancel()
        writer.close()
    assert waited < IDLE_TIMEOUT + 3


async def test_a_body_sent_a_byte_at_a_time_is_cut_off(webhook_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", webhook_port)
    body = json.dumps({"update_id": 1}).encode()
    writer.write(
        (
            f"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\n{SECRET_HEADER}: {SECRET}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body) + 1000}\r\n\r\n"
        ).encode()
        + body[:3]
    )
    await writer.drain()
    try:
        waited = await _closed_within(reader, IDLE_TIMEOUT + 4)
    finally:
        writer.close()
    assert waited < IDLE_TIMEOUT + 3


async def test_an_idle_kept_alive_connection_is_closed(webhook_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", webhook_port)
    writer.write(b"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), timeout=5)
    assert status.startswith(b"HTTP/1.1 403"), status  # no secret; the connection stays open
    try:
        waited = await _closed_within(reader, IDLE_TIMEOUT + 4)
    finally:
        writer.close()
    assert waited < IDLE_TIMEOUT + 3


def test_the_webhook_listens_on_loopback_unless_told_otherwise() -> None:
    settings = Settings(_env_file=None)
    assert settings.webhook_listen == "127.0.0.1"


def test_a_short_webhook_secret_is_refused() -> None:
    for weak in ("s", "x" * 31, "has spaces and is long enough to pass the length rule"):
        with pytest.raises(SettingsError, match="REFLECT_WEBHOOK_SECRET_TOKEN"):
            get_settings(_env_file=None, webhook_secret_token=weak)
    assert get_settings(_env_file=None, webhook_secret_token=SECRET).webhook_secret_token


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
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


def test_keys_generate_makes_a_webhook_secret_the_webhook_accepts(tmp_path: Path) -> None:
    made = _cli("keys", "generate", "--webhook-secret", env={}, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert len(secret) >= 32
    assert get_settings(_env_file=None, webhook_secret_token=secret).webhook_secret_token

    refused = _cli(
        "webhook",
        env={
            "REFLECT_BOT_TOKEN": "123:TEST",
            "REFLECT_WEBHOOK_URL": "https://bot.example/telegram",
            "REFLECT_WEBHOOK_SECRET_TOKEN": "one",
        },
        cwd=tmp_path,
    )
    assert refused.returncode == 2
    assert "REFLECT_WEBHOOK_SECRET_TOKEN" in refused.stderr and "32" in refused.stderr


def test_compose_publishes_the_webhook_to_this_machine_only() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    ports = compose["services"]["bot"].get("ports", [])
    assert all(str(port).startswith("127.0.0.1:") for port in ports), ports
