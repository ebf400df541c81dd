"""Webhook mode: a small aiohttp server hands Telegram's updates to the Application.

python-telegram-bot's own webhook server (`run_webhook`) is built on tornado, and PTB imports
tornado whenever it is installed, polling or not (≈ 3 MB). aiohttp already serves the
emulator and the sandbox, so it serves the webhook too: one web server library, not two.
This is PTB's "custom webhook bot" pattern: the Application runs without an Updater. Each
accepted update is handled before its request is answered, so a 200 means handled: with
two instances behind a proxy, what one did not finish is retried at the other.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from aiohttp import web
from telegram import Update

from reflect_bot.app import ReflectApplication, start_application, stop_application
from reflect_bot.config import Settings
from reflect_bot.signals import restore_default_signals, stop_on_signals

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; a request body above this is refused (413).
MAX_UPDATE_BYTES = 1024 * 1024

log = logging.getLogger(__name__)


def run_webhook(application: ReflectApplication, settings: Settings) -> None:
    """Serves until SIGTERM or Ctrl-C, then stops cleanly (queued updates are handled first)."""

    async def serve() -> None:
        stop = asyncio.Event()
        stop_on_signals(stop)  # before start-up: a signal while starting stops right after
        async with serving(application, settings):
            await stop.wait()
            restore_default_signals()  # a second Ctrl-C interrupts a slow shutdown

    asyncio.run(serve())


@asynccontextmanager
async def serving(application: ReflectApplication, settings: Settings) -> AsyncIterator[None]:
    """Starts the Application and the HTTP server, then registers the webhook with Telegram.

    On exit the server stops accepting first, then the Application finishes what is queued.
    The webhook stays registered: Telegram keeps updates until the bot is back.
    """
    url, secret = settings.webhook_url, settings.webhook_secret_token
    if not url or secret is None:
        raise ValueError("webhook mode needs REFLECT_WEBHOOK_URL and REFLECT_WEBHOOK_SECRET_TOKEN")
    async with AsyncExitStack() as stack:
        stack.push_async_callback(stop_application, application)
        await start_application(application)

        idle = settings.webhook_idle_timeout_seconds
        server = web.Application(client_max_size=MAX_UPDATE_BYTES)
        server.router.add_post(
            "/" + settings.webhook_path.lstrip("/"),
            _receiver(application, secret.get_secret_value(), body_timeout=idle),
        )
        # No access log: one line per update says nothing the bot's own logs do not.
        # keepalive_timeout counts from the connection's start or its last complete request,
        # so it also cuts off headers sent a byte at a time (aiohttp's default is an hour).
        # lingering_time=0: a body left unread (refused, or too slow) ends the connection at
        # once instead of being drained for another 10 s.
        runner = web.AppRunner(server, access_log=None, keepalive_timeout=idle, lingering_time=0)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()

        # Only once the server listens: Telegram starts delivering as soon as this returns.
        # Updates waiting at Telegram are kept (delivered now), never dropped; allowed_updates
        # is left as polling leaves it (Telegram's default set, or the last one registered).
        await application.bot.set_webhook(
            url, secret_token=secret.get_secret_value(), drop_pending_updates=False
        )
        log.info(
            "webhook server listening on %s:%s", settings.webhook_listen, settings.webhook_port
        )
        yield


def _receiver(
    application: ReflectApplication, secret: str, *, body_timeout: float
) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = secret.encode("utf-8")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        # Constant-time comparison: response timing reveals nothing about the secret.
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            async with asyncio.timeout(body_timeout):  # a body sent a byte at a time
                body = await request.read()
        except TimeoutError:
            log.warning("webhook request refused: its body did not arrive in time")
            return web.Response(status=408)
        try:
            update = Update.de_json(json.loads(body), application.bot)
        except Exception as exc:  # anything malformed in the body is the sender's error
            # The body may hold what a clinician wrote: only the failure's type is logged.
            log.warning("webhook request refused, not a Telegram update: %s", type(exc).__name__)
            return web.Response(status=400)
        # Acknowledged only once handled (an answer committed, its reply sent): an update
        # lost with this instance, killed half-way, is posted again by Telegram or a proxy
        # and handled by whichever instance gets it. Through the update processor, as
        # polling does: one chat's updates in order, the guard's transaction finished.
        # Repeated update ids are recognised by the admit guard (every id is recorded).
        await application.update_processor.process_update(
            update, application.process_update(update)
        )
        return web.Response()

    return receive
