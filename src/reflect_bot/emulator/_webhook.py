"""Webhook mode: push pending updates to the bot's URL, one at a time, as Telegram does.

Telegram may open up to ``max_connections`` parallel deliveries; the emulator delivers
strictly in order over one connection, which keeps tests deterministic. A failed delivery is
retried after ``retry_delay`` seconds (Telegram backs off for longer) and recorded in
getWebhookInfo's ``last_error_*`` fields.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import aiohttp

from ._state import EmulatorState

__all__ = ["Webhook"]

_LOGGER = logging.getLogger(__name__)


class Webhook:
    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self.url: str | None = None
        self.secret_token: str | None = None
        self.max_connections = 40
        self.retry_delay = 0.2
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)

    def set(self, url: str, *, secret_token: str | None, max_connections: int | None) -> None:
        self.url = url
        self.secret_token = secret_token
        if max_connections is not None:
            self.max_connections = max_connections
        self.last_error_date = None
        self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._deliver_forever(), name="emulator-webhook"
            )
        self._state.notifier.notify()

    def delete(self) -> None:
        self.url = None
        self.secret_token = None
        self._state.notifier.notify()  # lets the delivery loop notice and end

    def info(self) -> dict[str, Any]:
        queue = self._state.updates
        data: dict[str, Any] = {
            "url": self.url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(queue),
        }
        if self.url:
            data["max_connections"] = self.max_connections
            data["ip_address"] = "127.0.0.1"
            if queue.allowed is not None:
                data["allowed_updates"] = sorted(queue.allowed)
        if self.last_error_date is not None:
            data["last_error_date"] = self.last_error_date
            data["last_error_message"] = self.last_error_message
        return data

    async def close(self) -> None:
        self.url = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _deliver_forever(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        while self.url:
            batch = self._state.updates.peek(1)
            if not batch:
                await self._state.notifier.wait(1.0)
                continue
            if await self._post(self.url, batch[0]):
                self._state.updates.remove(batch[0]["update_id"])
                self.delivered += 1
                self._state.notifier.notify()
            else:
                self._state.notifier.notify()  # last_error_* changed
                await asyncio.sleep(self.retry_delay)

    async def _post(self, url: str, update: dict[str, Any]) -> bool:
        assert self._session is not None
        headers = {}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True
                message = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            message = (
                "Connection refused"
                if isinstance(exc, aiohttp.ClientConnectorError)
                else (f"Connection error: {exc.__class__.__name__}")
            )
        _LOGGER.info("webhook delivery of update %s failed: %s", update["update_id"], message)
        self.last_error_date = int(time.time())
        self.last_error_message = message
        return False
