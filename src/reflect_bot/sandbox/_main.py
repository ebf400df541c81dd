"""`reflect-bot sandbox` (and `reflect-bot run` without a token): run until Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import sys
from importlib.util import find_spec
from pathlib import Path

from reflect_bot.config import Settings
from reflect_bot.sandbox._sandbox import (
    DEFAULT_DATA_DIR,
    DEFAULT_PORT,
    PortInUseError,
    Sandbox,
    SandboxOptions,
)
from reflect_bot.signals import restore_default_signals, stop_on_signals

__all__ = [
    "DIR_VARIABLE",
    "NO_TOKEN_SANDBOX",
    "PORT_VARIABLE",
    "options_from_environment",
    "run_sandbox",
]

PORT_VARIABLE = "REFLECT_SANDBOX_PORT"
DIR_VARIABLE = "REFLECT_SANDBOX_DIR"

NO_TOKEN_SANDBOX = (
    "No REFLECT_BOT_TOKEN set — starting the local sandbox…\n"
    "  It runs the real bot against a local stand-in for Telegram, with a chat page in your\n"
    "  browser; nothing leaves this machine.\n"
    "  To use Telegram instead: create a bot with @BotFather (send /newbot), then\n"
    "    export REFLECT_BOT_TOKEN=123456:ABC...   (or put it in .env; see .env.example)\n"
    "  and run this command again."
)


def options_from_environment(
    settings: Settings, *, port: int | None = None, data_dir: Path | None = None
) -> SandboxOptions:
    """Options from command-line values, else REFLECT_SANDBOX_PORT / REFLECT_SANDBOX_DIR.

    Raises ValueError naming the variable when the port is not a number.
    """
    explicit = port is not None
    raw_port = os.environ.get(PORT_VARIABLE, "").strip()
    if port is None and raw_port:
        if not raw_port.isdigit() or int(raw_port) > 65535:
            raise ValueError(f"{PORT_VARIABLE}: expected a port number 0–65535, got {raw_port!r}")
        port = int(raw_port)
        explicit = True
    if data_dir is None:
        data_dir = Path(os.environ.get(DIR_VARIABLE, "").strip() or DEFAULT_DATA_DIR)
    return SandboxOptions(
        data_dir=data_dir,
        port=DEFAULT_PORT if port is None else port,
        port_is_explicit=explicit,
        # The control must not exist anywhere near production, whatever else is set.
        time_travel=settings.env != "production",
        # With the voice extra, a transcriber runs beside the sandbox's bot (docs/voice.md).
        transcriber=settings.voice_on and find_spec("faster_whisper") is not None,
    )


def run_sandbox(settings: Settings, options: SandboxOptions, *, no_token: bool = False) -> int:
    """Runs the sandbox until SIGINT or SIGTERM; returns the process exit code."""
    if no_token:
        print(NO_TOKEN_SANDBOX, flush=True)
    try:
        return asyncio.run(_serve(settings, options))
    except KeyboardInterrupt:  # Ctrl-C before the handlers were in place, or twice
        print("\nSandbox stopped.", flush=True)
        return 130
    except PortInUseError as exc:
        print(
            f"The sandbox cannot start: {exc.strerror}.\n"
            f"Choose another with `reflect-bot sandbox --port N` (0 picks a free port) "
            f"or {PORT_VARIABLE}=N.",
            file=sys.stderr,
        )
        return 2


async def _serve(settings: Settings, options: SandboxOptions) -> int:
    stop = asyncio.Event()
    stop_on_signals(stop)
    sandbox = Sandbox(settings, options)
    async with sandbox:
        if not stop.is_set():  # Ctrl-C while starting: stop without announcing the page
            print(_ready(sandbox), flush=True)
            await stop.wait()
        print("\nStopping the sandbox…", flush=True)
        restore_default_signals()
    print("Sandbox stopped.", flush=True)
    return 0


def _ready(sandbox: Sandbox) -> str:
    travel = (
        "on: use the clock button to jump ahead (development only)"
        if sandbox.time_travel_enabled
        else "off (REFLECT_ENV=production)"
    )
    lines = [
        "",
        f"reflect-bot sandbox is running: open {sandbox.url} in your browser.",
        f"  Data:        {sandbox.data_dir} (SQLite; delete the folder to start afresh)",
        f"  Time travel: {travel}",
        "Press Ctrl-C to stop.",
    ]
    if sandbox.options.port not in (0, sandbox.port):
        lines.insert(2, f"  (Port {sandbox.options.port} was busy, so another one was chosen.)")
    return "\n".join(lines)
