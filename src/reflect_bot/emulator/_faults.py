"""Knobs for fault tests and benchmarks: injected errors, delays, dropped connections, and
Telegram's flood limits."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

from ._errors import ApiError, Descriptions

__all__ = ["RATE_LIMITED_METHODS", "Faults"]

# Methods that put a message in a chat and therefore count against Telegram's flood limits.
RATE_LIMITED_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: Descriptions.UNAUTHORIZED,
    403: Descriptions.BLOCKED,
    404: Descriptions.METHOD_NOT_FOUND,
    409: Descriptions.TERMINATED_BY_OTHER,
    500: Descriptions.INTERNAL,
    502: Descriptions.BAD_GATEWAY,
}

DropWhen = Literal["before", "after"]


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    description: str | None
    remaining: int

    def error(self) -> ApiError:
        if self.status == 429:
            return ApiError.too_many_requests(self.retry_after or 1)
        description = self.description or _DEFAULT_DESCRIPTIONS.get(self.status, "Injected error")
        return ApiError(self.status, description, retry_after=self.retry_after)


class _Window:
    """Sliding one-second window of send times."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def admit(self, now: float, cap: float) -> int | None:
        """Record a send and return None, or return the seconds to wait when full."""
        while self.times and self.times[0] <= now - 1.0:
            self.times.popleft()
        if len(self.times) >= cap:
            return max(1, math.ceil(self.times[0] + 1.0 - now))
        self.times.append(now)
        return None


class Faults:
    """Per-method fault queues, keyed by the lower-cased method name ("*" matches any)."""

    def __init__(self) -> None:
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._drops: dict[str, list[DropWhen]] = {}
        self.rate_limit: float | None = None
        self.per_chat_rate_limit: float | None = None
        self._global_window = _Window()
        self._chat_windows: dict[int, _Window] = {}

    # -- configuration -------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        retry_after: int | None = None,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        failure = _Failure(status, retry_after, description, count)
        self._failures.setdefault(method.lower(), []).append(failure)

    def delay(self, method: str, seconds: float) -> None:
        if seconds <= 0:
            self._delays.pop(method.lower(), None)
        else:
            self._delays[method.lower()] = seconds

    def drop_connection_next(
        self, method: str, *, when: DropWhen = "before", count: int = 1
    ) -> None:
        self._drops.setdefault(method.lower(), []).extend([when] * count)

    def reset(self) -> None:
        self._failures.clear()
        self._delays.clear()
        self._drops.clear()
        self.rate_limit = None
        self.per_chat_rate_limit = None
        self._global_window = _Window()
        self._chat_windows.clear()

    # -- consulted by the server -------------------------------------------------------------
    def delay_for(self, method: str) -> float:
        return self._delays.get(method, self._delays.get("*", 0.0))

    def take_failure(self, method: str) -> ApiError | None:
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                failure = queue[0]
                failure.remaining -= 1
                if failure.remaining <= 0:
                    queue.pop(0)
                return failure.error()
        return None

    def take_drop(self, method: str) -> DropWhen | None:
        for key in (method, "*"):
            queue = self._drops.get(key)
            if queue:
                return queue.pop(0)
        return None

    def check_rate(self, method: str, chat_id: int) -> None:
        """Raise 429 like Telegram when a send exceeds the global or per-chat cap."""
        if method not in RATE_LIMITED_METHODS:
            return
        now = time.monotonic()
        if self.per_chat_rate_limit is not None:
            window = self._chat_windows.setdefault(chat_id, _Window())
            wait = window.admit(now, self.per_chat_rate_limit)
            if wait is not None:
                raise ApiError.too_many_requests(wait)
        if self.rate_limit is not None:
            wait = self._global_window.admit(now, self.rate_limit)
            if wait is not None:
                if self.per_chat_rate_limit is not None:
                    self._chat_windows[chat_id].times.pop()  # this send did not happen
                raise ApiError.too_many_requests(wait)
