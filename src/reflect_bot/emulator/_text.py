"""Text helpers shared by the parser and the user side.

Telegram measures entity offsets and lengths in UTF-16 code units (so an emoji outside the
Basic Multilingual Plane counts as 2), while length limits count Unicode code points. Both
rules live here so nobody has to rediscover them.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "detect_user_entities",
    "utf16_len",
]

# Telegram recognises /commands anywhere in the text, optionally addressed to a bot.
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def detect_user_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients attach to a plain message a person types.

    Only ``bot_command`` and ``url`` are recognised: those are the ones bots filter on.
    """
    entities: list[dict[str, Any]] = []
    for kind, pattern in (("bot_command", _COMMAND_RE), ("url", _URL_RE)):
        for match in pattern.finditer(text):
            entities.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group(0)),
                }
            )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return entities
