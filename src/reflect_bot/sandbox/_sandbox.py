"""The three parts of the sandbox in one event loop: the Bot API emulator, the real bot
polling it, and the chat page's web server."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta, tzinfo
from pathlib import Path
from types import TracebackType

from aiohttp import web
from pydantic import SecretStr

from reflect_bot.app import (
    ReflectApplication,
    build_application,
    start_application,
    stop_application,
)
from reflect_bot.clock import OffsetClock
from reflect_bot.config import Settings
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.emulator import BotAPIEmulator
from reflect_bot.sandbox import _continuity
from reflect_bot.sandbox._server import build_page_app
from reflect_bot.sandbox._timetravel import Jump, TravelReport, clinician_zone, travel

__all__ = [
    "DEFAULT_PORT",
    "PortInUseError",
    "Sandbox",
    "SandboxOptions",
    "sandbox_settings",
]

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
DEFAULT_DATA_DIR = Path("sandbox-data")
HOST = "127.0.0.1"  # never anything else: the page and its API have no authentication
# The emulator accepts exactly this token; it never leaves this machine.
SANDBOX_TOKEN = "100200300:SANDBOX-local-only"
BOT_USERNAME = "reflect_sandbox_bot"
BOT_NAME = "reflect-bot"
USER_ID = 1001
USER_FIRST_NAME = "Sandbox"
USER_LAST_NAME = "Clinician"
# How long the bot's getUpdates waits; stopping does not wait for it (PTB cancels the poll).
POLL_TIMEOUT_SECONDS = 10


class _RecordingClock(OffsetClock):
    """The bot's clock, remembering from which message on each jump applied, so the page can
    show every message at the time the bot believed it was when it was sent.

    Message ids, not times: a chat's ids only grow, and several messages and a jump can fall
    within the one second that message dates resolve.
    """

    def __init__(self, next_message_id: Callable[[], int]) -> None:
        super().__init__()
        self._next_message_id = next_message_id
        # (first message id sent after the jump, seconds ahead of real time from then on)
        self.history: list[tuple[int, float]] = [(0, 0.0)]

    def advance(self, delta: timedelta) -> None:
        super().advance(delta)
        # Whole seconds ahead (rounded up, so a due time is still reached): message dates
        # are whole seconds, and so then is the bot's time of every message.
        if self.offset.microseconds:
            self.offset += timedelta(microseconds=1_000_000 - self.offset.microseconds)
        self.history.append((self._next_message_id(), self.offset.total_seconds()))


class PortInUseError(OSError):
    """The page's port was asked for explicitly and something else holds it."""


@dataclass(frozen=True)
class SandboxOptions:
    data_dir: Path = DEFAULT_DATA_DIR
    port: int = DEFAULT_PORT  # 0: any free port
    # True when the person chose the port: then a busy port is an error, not a detour.
    port_is_explicit: bool = False
    time_travel: bool = True  # False in production: the control then does not exist
    # Start `reflect-bot transcriber` beside the bot, on the sandbox's database and emulator.
    transcriber: bool = False


def sandbox_settings(base: Settings, emulator: BotAPIEmulator, data_dir: Path) -> Settings:
    """The operator's settings, with everything that could reach real data replaced: the
    emulator instead of Telegram, SQLite in the sandbox folder instead of any configured
    database, and a development key file there instead of the configured keys."""
    return base.model_copy(
        update={
            "env": "development",
            "bot_token": SecretStr(emulator.token),
            "telegram_base_url": emulator.base_url,
            "telegram_base_file_url": emulator.base_file_url,
            "data_dir": data_dir.resolve(),
            "database_url": "",
            "encryption_keys": [],
            "allowed_user_ids": [USER_ID],
            "webhook_url": None,
        }
    )


class Sandbox:
    """Start with ``async with Sandbox(settings, options) as sandbox:``; open ``sandbox.url``."""

    def __init__(self, base: Settings, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        self.base = base
        self.user_id = USER_ID
        self.clock = _RecordingClock(self._next_message_id)
        self.emulator = BotAPIEmulator(SANDBOX_TOKEN, bot_username=BOT_USERNAME, bot_name=BOT_NAME)
        self._travel_lock = asyncio.Lock()
        self._travelling: asyncio.Task[object] | None = None
        self._application: ReflectApplication | None = None
        self._settings: Settings | None = None
        self._runner: web.AppRunner | None = None
        self._bot_running = False
        self._restored = False  # only a run that restored the saved state may overwrite it
        self._transcriber: asyncio.subprocess.Process | None = None
        self.port = 0

    # -- what the page and tests read ---------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def data_dir(self) -> Path:
        return self.options.data_dir.resolve()

    @property
    def travel_history(self) -> list[tuple[int, float]]:
        """(first message id, seconds the bot's clock was ahead from it on), oldest first."""
        return self.clock.history

    def _next_message_id(self) -> int:
        sent = self.emulator.messages(self.user_id, include_deleted=True)
        return sent[-1].message_id + 1 if sent else 0

    @property
    def time_travel_enabled(self) -> bool:
        return self.options.time_travel

    @property
    def application(self) -> ReflectApplication:
        if self._application is None:
            raise RuntimeError("the sandbox has not started")
        return self._application

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the sandbox has not started")
        return self._settings

    async def clinician_zone(self) -> tuple[str, tzinfo]:
        """The sandbox clinician's zone name and tzinfo ("UTC" until they pick one)."""
        return await clinician_zone(self.application.bot_data.services, self.user_id)

    async def time_travel(self, jump: Jump) -> TravelReport:
        """Moves the bot's clock forward (one jump at a time) and delivers what fell due."""
        if not self.time_travel_enabled:
            raise PermissionError("time travel is switched off in production")
        async with self._travel_lock:
            self._travelling = asyncio.current_task()
            try:
                report = await travel(
                    jump,
                    ticker=self.application.bot_data.ticker,
                    clock=self.clock,
                    telegram_user_id=self.user_id,
                )
            finally:
                self._travelling = None
            with _logged("saving the sandbox state"):
                # Now, not only at exit: a crash must not send the clock back in time.
                _continuity.save(
                    self.emulator, chat_id=self.user_id, clock=self.clock, data_dir=self.data_dir
                )
            return report

    # -- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Emulator, then the bot on a migrated database, then the page; undone on failure."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        await self.emulator.start()
        settings = sandbox_settings(self.base, self.emulator, self.data_dir)
        self._settings = settings
        # Alembic's env.py runs its own event loop, so it runs in a thread.
        await asyncio.to_thread(upgrade_head, settings.effective_database_url)
        self._application = build_application(settings, clock=self.clock)
        await self._restore()
        # The chat exists and is open, as it stays on Telegram between runs of a bot.
        self.emulator.private_chat(
            self.user_id, USER_FIRST_NAME, last_name=USER_LAST_NAME, started=True
        )
        await self._start_bot(self._application)
        if self.options.transcriber:
            await self._start_transcriber(settings)
        await self._start_page()

    async def _start_transcriber(self, settings: Settings) -> None:
        """A transcriber process for the sandbox's voice notes: the sandbox's database, key
        file and emulator only; no REFLECT_ variable of the operator's reaches it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")}
        env.update(
            REFLECT_ENV="development",
            REFLECT_BOT_TOKEN=self.emulator.token,
            REFLECT_TELEGRAM_BASE_URL=settings.telegram_base_url,
            REFLECT_TELEGRAM_BASE_FILE_URL=settings.telegram_base_file_url,
            REFLECT_DATA_DIR=str(settings.data_dir),
            REFLECT_SPEECH_MAX_SECONDS=str(settings.speech_max_seconds),
            REFLECT_SPEECH_LANGUAGE=settings.speech_language,
        )
        if settings.speech_model is not None:
            env["REFLECT_SPEECH_MODEL"] = str(settings.speech_model)
        self._transcriber = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "reflect_bot", "transcriber", cwd=settings.data_dir, env=env
        )
        log.info("transcriber started beside the sandbox (pid %s)", self._transcriber.pid)

    async def _restore(self) -> None:
        saved = _continuity.read(self.data_dir)
        handled = await _continuity.highest_handled_update(self.application.bot_data.services)
        saved = replace(saved, next_update_id=max(saved.next_update_id, handled + 1))
        _continuity.restore(saved, emulator=self.emulator, chat_id=self.user_id, clock=self.clock)
        self._restored = True

    async def _start_bot(self, app: ReflectApplication) -> None:
        self._bot_running = True
        await start_application(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=POLL_TIMEOUT_SECONDS, drop_pending_updates=False
        )

    async def _start_page(self) -> None:
        runner = web.AppRunner(build_page_app(self), shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        self._runner = runner
        sock = _bind(self.options.port, explicit=self.options.port_is_explicit)
        site = web.SockSite(runner, sock)
        try:
            await site.start()
        except BaseException:
            sock.close()
            raise
        self.port = sock.getsockname()[1]

    async def stop(self) -> None:
        """Stops the bot, then the emulator (which ends every long poll), then the page."""
        travelling = self._travelling
        if travelling is not None and not travelling.done():
            # A jump can take seconds of paced sends; Ctrl-C should not wait for them. Rows
            # it had claimed are claimable again once their lease runs out.
            travelling.cancel()
            await asyncio.wait([travelling], timeout=2)
        if self._application is not None and self._bot_running:
            self._bot_running = False
            with _logged("stopping the bot"):
                await stop_application(self._application)
        if self._restored:
            self._restored = False
            with _logged("saving the sandbox state"):
                _continuity.save(
                    self.emulator, chat_id=self.user_id, clock=self.clock, data_dir=self.data_dir
                )
        transcriber, self._transcriber = self._transcriber, None
        if transcriber is not None and transcriber.returncode is None:
            with _logged("stopping the transcriber"):
                transcriber.terminate()
                try:
                    await asyncio.wait_for(transcriber.wait(), timeout=10)
                except TimeoutError:
                    transcriber.kill()
                    await transcriber.wait()
        with _logged("stopping the emulator"):
            await self.emulator.stop()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            with _logged("stopping the page"):
                await runner.cleanup()


@contextlib.contextmanager
def _logged(what: str) -> Iterator[None]:
    # Shutting down continues past a failing part, so the other parts still stop.
    try:
        yield
    except Exception as exc:
        log.warning("%s failed: %s", what, type(exc).__name__)


def _bind(port: int, *, explicit: bool) -> socket.socket:
    """A listening socket on 127.0.0.1: the port asked for, or, if that default is taken,
    any free one (the URL is printed either way)."""
    try:
        return _socket(port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        if explicit or port == 0:
            raise PortInUseError(
                errno.EADDRINUSE, f"port {port} on {HOST} is already in use"
            ) from None
        return _socket(0)


def _socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
    except BaseException:
        sock.close()
        raise
    return sock
