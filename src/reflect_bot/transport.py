"""Retrying a call to Telegram that failed on the way, without retrying our own mistakes.

Semantics, the same as the scheduled sender's (delivery/sender.py): **at-least-once**.
A reply is sent again when Telegram answered with a server error (5xx), when the connection
failed, or when no answer came in time. Only in the last two cases can Telegram already have
acted, so the one way a reply reaches a clinician twice is a send whose answer was lost; a
missing next question would confuse a clinician more than a repeated one. Our own mistakes
(400), a blocked chat (403) and a bad token are never retried. A 429 is waited out when it
asks for no more than RETRY_AFTER_LIMIT seconds.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

T = TypeVar("T")

# Pauses before each further attempt; their count is the number of retries.
BACKOFF: tuple[float, ...] = (0.3, 1.0, 2.5)
RETRY_AFTER_LIMIT = 5.0
# Seconds to wait for Telegram's answer to a send (python-telegram-bot's own default).
READ_TIMEOUT = 5.0


def _retryable(exc: TelegramError) -> bool:
    if isinstance(exc, RetryAfter):
        return _retry_after(exc) <= RETRY_AFTER_LIMIT
    # BadRequest is a NetworkError subclass in python-telegram-bot, but it is our mistake.
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB warns that retry_after will become a timedelta; either form is handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def patiently(call: Callable[[], Awaitable[T]], *, what: str) -> T:
    """Runs `call`, retrying it after transient failures (see the module docs)."""
    for attempt, pause in enumerate((*BACKOFF, None), start=1):
        try:
            return await call()
        except TelegramError as exc:
            if pause is None or not _retryable(exc):
                raise
            wait = _retry_after(exc) if isinstance(exc, RetryAfter) else pause
            # The type only: an error's text may quote what was being sent.
            log.info("%s failed (%s, attempt %s); retrying", what, type(exc).__name__, attempt)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
