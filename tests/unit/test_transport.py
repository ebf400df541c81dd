"""Replies are retried after transient failures, and never after the bot's own mistakes."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from reflect_bot import transport


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "BACKOFF", (0.0, 0.0, 0.0))


class Flaky:
    """Fails with the given errors, in order, then succeeds."""

    def __init__(self, *errors: TelegramError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


def _retry_after(seconds: int) -> RetryAfter:
    with warnings.catch_warnings():  # PTB warns about the attribute's future type
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(seconds)


@pytest.mark.parametrize(
    "make",
    [
        lambda: NetworkError("Bad Gateway"),
        lambda: NetworkError("httpx.ConnectError"),
        TimedOut,
        lambda: _retry_after(0),
    ],
)
async def test_transient_failures_are_retried(make: Callable[[], TelegramError]) -> None:
    call = Flaky(make(), make())
    assert await transport.patiently(call, what="a reply") == "sent"
    assert call.calls == 3


@pytest.mark.parametrize(
    "make",
    [
        lambda: BadRequest("can't parse entities"),
        lambda: Forbidden("blocked"),
        lambda: _retry_after(60),
    ],
)
async def test_our_mistakes_a_block_and_long_waits_are_not(
    make: Callable[[], TelegramError],
) -> None:
    error = make()
    call = Flaky(error)
    with pytest.raises(type(error)):
        await transport.patiently(call, what="a reply")
    assert call.calls == 1


async def test_it_gives_up_after_the_last_backoff() -> None:
    call = Flaky(*[NetworkError("Internal Server Error")] * 10)
    with pytest.raises(NetworkError):
        await transport.patiently(call, what="a reply")
    assert call.calls == len(transport.BACKOFF) + 1
