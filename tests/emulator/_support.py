"""Helpers shared by the emulator tests."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from reflect_bot.emulator import BotAPIEmulator

TOKEN = "123456:TEST"
USER = 1001


class RawApi:
    """Calls Bot API methods the way python-telegram-bot does: form fields whose complex
    values are JSON strings (multipart when files are attached), or a JSON body."""

    def __init__(self, session: aiohttp.ClientSession, emu: BotAPIEmulator) -> None:
        self.session = session
        self.emu = emu

    async def call(
        self,
        method: str,
        *,
        token: str = TOKEN,
        as_json: bool = False,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        **params: Any,
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.emu.base_url}{token}/{method}"
        if as_json:
            async with self.session.post(url, json=params) as response:
                return response.status, await response.json()
        form = aiohttp.FormData()
        for name, value in params.items():
            if value is None:
                continue
            form.add_field(name, value if isinstance(value, str) else json.dumps(value))
        for name, (filename, data, content_type) in (files or {}).items():
            form.add_field(name, data, filename=filename, content_type=content_type)
        async with self.session.post(url, data=form) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, **params)
        assert status == 200 and body["ok"] is True, body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self.call(method, **params)
        assert body["ok"] is False, body
        assert body["error_code"] == status
        return status, body["description"]
