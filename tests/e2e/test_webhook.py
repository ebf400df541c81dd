"""Webhook mode, as production runs it: the real Application's webhook server, registered
with the emulator through setWebhook, refuses requests without the secret token (403) and
handles a repeated update_id once."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from reflect_bot.app import ReflectApplication, build_application
from reflect_bot.clock import FixedClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.db.models import ProcessedUpdate
from reflect_bot.emulator import BotAPIEmulator
from tests.e2e import harness
from tests.e2e.harness import DEFAULT_START, USER, stop_bot

SECRET = "webhook-secret_42"
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
    sqlite_url: str, tmp_path: Path, encryption_key: str
) -> AsyncIterator[WebhookBot]:
    await asyncio.to_thread(upgrade_head, sqlite_url)
    async with BotAPIEmulator(token="123456:TEST-token") as emulator:
        port = _free_port()
        url = f"http://127.0.0.1:{port}/telegram"
        settings = harness.test_settings(  # (imported via the module: pytest collects test_*)
            emulator,
            sqlite_url,
            tmp_path,
            encryption_key,
            webhook_url=url,
            webhook_secret_token=SECRET,
            webhook_listen="127.0.0.1",
            webhook_port=port,
        )
        app = build_application(settings, clock=FixedClock(DEFAULT_START))
        # What run_webhook does, minus the signal handling.
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None and settings.webhook_secret_token is not None
        await app.updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=url,
            secret_token=settings.webhook_secret_token.get_secret_value(),
        )
        try:
            yield WebhookBot(emulator, app, url)
        finally:
            await stop_bot(app)


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


async def _post(url: str, update: dict[str, Any], secret: str | None) -> int:
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
        seen = (await session.execute(select(ProcessedUpdate.update_id))).scalars().all()
    assert sorted(seen) == [900_003], "refused requests were never processed"
