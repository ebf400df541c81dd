"""The emulator object: an aiohttp server on 127.0.0.1 plus the user side and the knobs."""

from __future__ import annotations

import socket
from types import TracebackType
from typing import TYPE_CHECKING

from aiohttp import web

from ._control import ControlApi
from ._faults import DropWhen, Faults
from ._guard import LOOPBACK_HOSTS, refuse_other_sites
from ._methods import BotMethods
from ._models import User
from ._server import CLIENT_MAX_SIZE, BotApiRoutes
from ._state import EmulatorState
from ._user import UserSide
from ._webhook import Webhook

if TYPE_CHECKING:
    import ssl

__all__ = ["BotAPIEmulator"]


def _bot_id(token: str) -> int:
    prefix = token.partition(":")[0]
    return int(prefix) if prefix.isdigit() else 1


class BotAPIEmulator(UserSide):
    """A local Telegram Bot API for one bot.

    ::

        async with BotAPIEmulator() as emu:
            app = (
                ApplicationBuilder().token(emu.token)
                .base_url(emu.base_url).base_file_url(emu.base_file_url).build()
            )
            await emu.send_text(1001, "/start")
            reply = await emu.wait_for_bot_message(1001)
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_username: str = "reflect_test_bot",
        bot_name: str = "Reflect Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        bot = User(_bot_id(token), bot_name, username=bot_username, is_bot=True)
        super().__init__(EmulatorState(bot))
        self.token = token
        self.host = host
        self.port = port  # the real port once started, when 0 was asked for
        self.ssl_context = ssl_context  # served over HTTPS with it, as Telegram is
        self.faults = Faults()
        self.webhook = Webhook(self.state)
        self.methods = BotMethods(self.state, self.faults, self.webhook)
        self.app = web.Application(
            client_max_size=CLIENT_MAX_SIZE,
            # The control API moves a chat and reads it: no other web site may use it.
            middlewares=[
                refuse_other_sites(loopback=host in LOOPBACK_HOSTS, json_only_under="/_emulator/")
            ],
        )
        BotApiRoutes(self.state, self.faults, self.methods, token).add_to(self.app)
        ControlApi(self).add_to(self.app)
        self._runner: web.AppRunner | None = None

    # -- addresses -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:8081``."""
        scheme = "http" if self.ssl_context is None else "https"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: PTB appends the token."""
        return f"{self.url}/file/bot"

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self._runner is not None:
            return
        self.state.closing = False
        # Long polls are woken on stop, so a short grace period is enough.
        runner = web.AppRunner(self.app, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
            site = web.SockSite(runner, sock, ssl_context=self.ssl_context)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self.port = sock.getsockname()[1]
        self._runner = runner

    async def stop(self) -> None:
        self.state.closing = True
        self.state.notifier.notify()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- knobs ---------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        retry_after: int | None = None,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """The next ``count`` calls of ``method`` ("*" for any) fail with ``status``.

        429 answers carry ``parameters.retry_after`` (default 1), as Telegram's do; other
        statuses get Telegram's usual description unless ``description`` is given.
        """
        self.faults.fail_next(
            method, status, retry_after=retry_after, count=count, description=description
        )

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` ("*" for any) only after ``seconds``; 0 removes the delay."""
        self.faults.delay(method, seconds)

    def drop_connection_next(
        self, method: str, *, when: DropWhen = "before", count: int = 1
    ) -> None:
        """Close the connection instead of answering the next call of ``method``.

        ``when="after"`` performs the call first, so the bot sees a network error for a
        message that was in fact sent.
        """
        self.faults.drop_connection_next(method, when=when, count=count)

    @property
    def rate_limit(self) -> float | None:
        """Global cap on messages per second (sends and edits); above it: 429."""
        return self.faults.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: float | None) -> None:
        self.faults.rate_limit = value

    @property
    def per_chat_rate_limit(self) -> float | None:
        """Cap on messages per second in one chat (Telegram advises 1); None = off."""
        return self.faults.per_chat_rate_limit

    @per_chat_rate_limit.setter
    def per_chat_rate_limit(self, value: float | None) -> None:
        self.faults.per_chat_rate_limit = value

    @property
    def strict_html(self) -> bool:
        """Refuse a bare ``&`` in HTML (Telegram lets it through; default True)."""
        return self.methods.strict_html

    @strict_html.setter
    def strict_html(self, value: bool) -> None:
        self.methods.strict_html = value

    def advance_clock(self, seconds: float) -> None:
        """Moves Telegram's clock on: messages age (deleteMessage refuses after 48 hours) and
        new ones carry the later date. Only forward, like time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.state.time_offset += seconds

    def reset_faults(self) -> None:
        """Remove every injected failure, delay, drop and rate limit."""
        self.faults.reset()
