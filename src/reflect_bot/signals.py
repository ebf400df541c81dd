"""Ctrl-C and SIGTERM as an asyncio event, for the long-running local commands."""

from __future__ import annotations

import asyncio
import signal
import sys

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_on_signals(stop: asyncio.Event) -> None:
    """Sets `stop` on SIGINT or SIGTERM (Windows' event loop has no signal handlers)."""
    if sys.platform == "win32":
        return
    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)


def restore_default_signals() -> None:
    """Lets a second Ctrl-C interrupt at once, as it would anywhere else."""
    if sys.platform == "win32":
        return
    loop = asyncio.get_running_loop()
    for signum in _STOP_SIGNALS:
        loop.remove_signal_handler(signum)
