"""Webhook mode, as production runs it: reflect-bot's aiohttp webhook server, registered
with the emulator through setWebhook, refuses requests without the secret token (403),
handles a repeated update_id once, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlmodel import col

from reflect_bot.app import ReflectApplication, build_application
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import ProcessedUpdate
from reflect_bot.delivery.ticker import TICK_JOB_NAME
from reflect_bot.emulator import BotAPIEmulator
from reflect_bot.webhook import serving
from tests.e2e import harness
from tests.e2e.harness import DEFAULT_START, USER

SECRET = "webhook-secret_42-long-enough-for-the-32-rule"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
WRITER = 4004


@dataclass
class WebhookBot:
    emulator: BotAPIEmulator
    app: ReflectApplication
    url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook_bot(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str
) -> AsyncIterator[WebhookBot]:
    async with BotAPIEmulator(token="123456:TEST-token") as emulator:
        port = _free_port()
        url = f"http://127.0.0.1:{port}/telegram"
        settings = harness.test_settings(  # (imported via the module: pytest collects test_*)
            emulator,
            migrated_sqlite_url,
            tmp_path,
            encryption_key,
            webhook_url=url,
            webhook_secret_token=SECRET,
            webhook_listen="127.0.0.1",
            webhook_port=port,
        )
        app = build_application(settings, clock=FixedClock(DEFAULT_START), polling=False)
        # What `reflect-bot webhook` runs, minus the signal handling.
        async with serving(app, settings):
            yield WebhookBot(emulator, app, url)


def _update(update_id: int, text: str) -> dict[str, Any]:
    person = {"id": WRITER, "is_bot": False, "first_name": "Webhook"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": WRITER, "type": "private", "first_name": "Webhook"},
            "from": person,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def _post(url: str, update: Any, secret: str | None) -> int:
    headers = {HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http, http.post(url, json=update, headers=headers) as r:
        return r.status


async def test_the_emulator_delivers_through_the_webhook_with_the_secret(
    webhook_bot: WebhookBot,
) -> None:
    emulator = webhook_bot.emulator
    assert emulator.webhook.url == webhook_bot.url and emulator.webhook.secret_token == SECRET
    await emulator.send_text(USER, "/start")
    welcome = await emulator.wait_for_bot_message(USER, timeout=5)
    assert "Welcome" in (welcome.text or "")
    # The update is acknowledged once handled, so the reply can arrive just before the 200.
    for _ in range(100):  # up to 5 s
        if emulator.webhook.delivered:
            break
        await asyncio.sleep(0.05)
    assert emulator.webhook.delivered == 1 and emulator.webhook.last_error_message is None


async def test_requests_without_the_secret_are_refused_and_repeats_are_ignored(
    webhook_bot: WebhookBot,
) -> None:
    emulator, url = webhook_bot.emulator, webhook_bot.url
    emulator.private_chat(WRITER, started=True)
    assert await _post(url, _update(900_001, "/help"), None) == 403
    assert await _post(url, _update(900_002, "/help"), "wrong-secret") == 403
    await emulator.assert_no_bot_message(WRITER, within=0.3)

    repeated = _update(900_003, "/help")
    assert await _post(url, repeated, SECRET) == 200
    await emulator.wait_for_bot_message(WRITER, timeout=5)
    for _ in range(2):
        assert await _post(url, repeated, SECRET) == 200
    await emulator.assert_no_bot_message(WRITER, within=0.5)
    assert len(emulator.bot_messages(WRITER)) == 1, "the same update_id is handled once"

    async with transaction(webhook_bot.app.bot_data.services.sessions) as session:
        seen = (await session.execute(select(col(ProcessedUpdate.update_id)))).scalars().all()
    assert sorted(seen) == [900_003], "refused requests were never processed"


async def test_an_update_is_acknowledged_only_once_handled(webhook_bot: WebhookBot) -> None:
    """A 200 means handled (its update id committed, its reply sent): with two instances
    behind a proxy, an update an instance did not finish is posted again, never lost."""
    emulator, url = webhook_bot.emulator, webhook_bot.url
    emulator.private_chat(WRITER, started=True)
    assert await _post(url, _update(900_010, "/help"), SECRET) == 200
    assert len(emulator.bot_messages(WRITER)) == 1, "the reply was sent before the 200"
    async with transaction(webhook_bot.app.bot_data.services.sessions) as session:
        seen = (await session.execute(select(col(ProcessedUpdate.update_id)))).scalars().all()
    assert list(seen) == [900_010], "and the update id was committed"


async def test_a_body_that_is_not_an_update_is_refused(webhook_bot: WebhookBot) -> None:
    for body in ([1, 2], {"no": "update_id"}, None):
        assert await _post(webhook_bot.url, body, SECRET) == 400
    assert await _post(webhook_bot.url, _update(900_010, "/help"), SECRET) == 200


async def test_the_scheduler_ticks_in_webhook_mode(webhook_bot: WebhookBot) -> None:
    job_queue = webhook_bot.app.job_queue
    assert job_queue is not None and job_queue.scheduler.running
    assert [job.name for job in job_queue.jobs()] == [TICK_JOB_NAME]


@pytest.mark.slow
async def test_the_webhook_command_serves_and_stops_cleanly_on_sigterm(
    migrated_sqlite_url: str, tmp_path: Path, encryption_key: str
) -> None:
    async with BotAPIEmulator(token="123456:TEST-token") as emulator:
        port = _free_port()
        url = f"http://127.0.0.1:{port}/telegram"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")},
            "REFLECT_BOT_TOKEN": emulator.token,
            "REFLECT_TELEGRAM_BASE_URL": emulator.base_url,
            "REFLECT_TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
            "REFLECT_DATABASE_URL": migrated_sqlite_url,
            "REFLECT_DATA_DIR": str(tmp_path),
            "REFLECT_ENCRYPTION_KEYS": encryption_key,
            "REFLECT_WEBHOOK_URL": url,
            "REFLECT_WEBHOOK_SECRET_TOKEN": SECRET,
            "REFLECT_WEBHOOK_LISTEN": "127.0.0.1",
            "REFLECT_WEBHOOK_PORT": str(port),
        }
        log = tmp_path / "webhook.log"
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "reflect_bot", "webhook", cwd=tmp_path, env=env,
                stdout=output, stderr=output,
            )  # fmt: skip
        try:
            await emulator.wait_until(
                lambda: emulator.webhook.url == url, timeout=30, description="setWebhook"
            )
            assert emulator.webhook.secret_token == SECRET
            await emulator.send_text(USER, "/start")
            welcome = await emulator.wait_for_bot_message(USER, timeout=10)
            assert "Welcome" in (welcome.text or "")
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=15) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    output_text = log.read_text()
    assert "Traceback" not in output_text, output_text
