"""Webhook mode: delivery with the secret header, retries, getWebhookInfo, 409 on polling."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from reflect_bot.emulator import BotAPIEmulator

from ._support import RawApi


class Receiver:
    """A stand-in for the bot's webhook endpoint."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.fail_with: int | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_with is not None:
            status, self.fail_with = self.fail_with, None
            return web.Response(status=status)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((await request.json(), secret))
        return web.Response(text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    target.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    yield target
    await runner.cleanup()


async def test_updates_are_posted_with_the_secret(
    api: RawApi, emu: BotAPIEmulator, receiver: Receiver
) -> None:
    await api.ok("setWebhook", url=receiver.url, secret_token="s3cr3t-token")
    emu.webhook.retry_delay = 0.05
    await emu.send_text(1001, "hello hook")
    await emu.wait_until(lambda: receiver.received, description="a webhook delivery")
    update, secret = receiver.received[0]
    assert update["message"]["text"] == "hello hook"
    assert secret == "s3cr3t-token"
    await emu.wait_for_updates_consumed()

    assert await api.error("getUpdates") == (
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )


async def test_failed_delivery_is_retried_and_reported(
    api: RawApi, emu: BotAPIEmulator, receiver: Receiver
) -> None:
    emu.webhook.retry_delay = 0.05
    receiver.fail_with = 500
    await api.ok("setWebhook", url=receiver.url)
    await emu.send_text(1001, "retry me")
    await emu.wait_until(lambda: receiver.received, description="the retried delivery")
    info = await api.ok("getWebhookInfo")
    assert info["url"] == receiver.url
    assert info["pending_update_count"] == 0
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert [u["message"]["text"] for u, _ in receiver.received] == ["retry me"]


async def test_delete_webhook_returns_to_polling(
    api: RawApi, emu: BotAPIEmulator, receiver: Receiver
) -> None:
    receiver.fail_with = 503  # keeps the first update pending
    emu.webhook.retry_delay = 5
    await api.ok("setWebhook", url=receiver.url)
    await emu.send_text(1001, "pending")
    await emu.wait_until(lambda: emu.webhook.last_error_message, description="a failed delivery")
    await api.ok("deleteWebhook")
    assert (await api.ok("getWebhookInfo"))["url"] == ""
    updates = await api.ok("getUpdates")
    assert [u["message"]["text"] for u in updates] == ["pending"]
    await api.ok("deleteWebhook", drop_pending_updates=True)
    assert await api.ok("getUpdates") == []


async def test_webhook_url_and_secret_validation(api: RawApi) -> None:
    status, description = await api.error("setWebhook", url="ftp://example.org/hook")
    assert status == 400 and "HTTPS url must be provided" in description
    status, description = await api.error(
        "setWebhook", url="https://example.org/hook", secret_token="no spaces!"
    )
    assert status == 400 and "secret token" in description
