"""The clinician's own words, quoted short: an answer's sentences, one of them cut at a word.

Shared by the recogniser (which sentence carries a card) and by digests, exports and /search
(which quote it), without loading the recogniser itself.
"""

from __future__ import annotations

import re

__all__ = ["EXCERPT_CHARS", "excerpt_at", "sentences", "shorten"]

#: The longest excerpt of an answer quoted for a card or a search.
EXCERPT_CHARS = 140
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of an answer, as excerpts count them (the whole text if none)."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s.strip()] or [text]


def excerpt_at(text: str, sentence: int, *, max_chars: int = EXCERPT_CHARS) -> str:
    """Sentence number `sentence` of `text` (the first, if it has fewer), cut at a word."""
    split = sentences(text)
    chosen = split[sentence] if 0 <= sentence < len(split) else split[0]
    return shorten(chosen, max_chars)


def shorten(text: str, max_chars: int = EXCERPT_CHARS) -> str:
    """`text` on one line, cut at a word to at most `max_chars` (with "…" when cut)."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0] or text[: max_chars - 1]
    return cut.rstrip(" ,;:") + "…"
