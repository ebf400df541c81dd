"""Links back to concept cards, shared by the digest, the journal export and anything else.

Two ways in, both handled by the concept handlers (`bot/handlers/concepts.py`), both spelled
by `reflect_bot.ui.callbacks`: a t.me deep link that opens the bot with ``/start c-<slug>``,
and an inline button whose callback data is ``concept:<slug>``. Slugs are at most 40
characters of a-z, 0-9 and hyphens, so both stay well inside Telegram's limits (64-byte start
payloads and callback data).
"""

from __future__ import annotations

from reflect_bot.ui.callbacks import ShowConcept, concept_start

__all__ = ["concept_callback", "concept_deep_link"]


def concept_deep_link(bot_username: str, slug: str) -> str:
    """``https://t.me/<bot>?start=c-<slug>``: opens the bot on the concept's card."""
    return f"https://t.me/{bot_username.removeprefix('@')}?start={concept_start(slug)}"


def concept_callback(slug: str) -> str:
    """Callback data of an inline button that shows the concept's card."""
    return ShowConcept(slug).encode()
