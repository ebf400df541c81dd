# Waits here are bounded by design and report expiry as a value, not an exception.
# ruff: noqa: ASYNC109
"""Wake-ups for everything that waits on emulator state: long polls, webhook delivery, tests.

All emulator state lives on one event loop and is changed synchronously, so a version
counter plus a set of futures is enough; no locks are needed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["Notifier"]

T = TypeVar("T")


class Notifier:
    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()
        self.version = 0

    def notify(self) -> None:
        self.version += 1
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self, timeout: float) -> bool:
        """Wait for the next change; False if ``timeout`` seconds passed first."""
        if timeout <= 0:
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(waiter)
        return True

    async def wait_for(
        self,
        check: Callable[[], T | None],
        timeout: float,
        *,
        poll_interval: float | None = None,
    ) -> T | None:
        """Re-run ``check`` after every change until it returns non-None or time runs out.

        ``poll_interval`` also re-runs it periodically, for conditions on state outside the
        emulator that no notification covers.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if poll_interval is not None:
                await self.wait(min(remaining, poll_interval))
            else:
                await self.wait(remaining)
