"""Reading numbers a person typed, or a button carried, the one strict way."""

from __future__ import annotations


def whole_number(text: str) -> int | None:
    """A non-negative whole number written in ASCII digits, else None.

    `"²".isdigit()` is true and `int("²")` raises; `int("١٢")` reads Arabic-Indic digits.
    Buttons and typed commands accept only what the bot itself would write.
    """
    if not text or not text.isascii() or not text.isdigit():
        return None
    return int(text)
