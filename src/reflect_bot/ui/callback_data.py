"""The shared rules of callback data: what a button says back when it is pressed.

Each family of buttons has a short prefix and its own typed values with one `encode` and one
`decode`, in the ui module that builds its keyboards. These helpers keep every family within
Telegram's 64-byte limit; numbers are read with `domain.numbers.whole_number`.
"""

from __future__ import annotations

import re
from typing import Protocol

MAX_CALLBACK_BYTES = 64


class Encodable(Protocol):
    """A typed button value: it knows its own wire form."""

    def encode(self) -> str: ...


def pack(prefix: str, *parts: object) -> str:
    """`prefix:part:part…`; refuses anything Telegram would reject."""
    data = ":".join([prefix, *(str(part) for part in parts)])
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES


def unpack(data: str, prefix: str) -> list[str] | None:
    """The parts after `prefix:`, or None when the data belongs to another family."""
    head, separator, rest = data.partition(":")
    if head != prefix or not separator:
        return None
    return rest.split(":")


def pattern(prefix: str) -> str:
    """The CallbackQueryHandler pattern that matches one family."""
    return f"^{re.escape(prefix)}:"
