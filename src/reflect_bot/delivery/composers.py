"""Which composer turns each kind of delivery into messages, chosen once per running bot."""

from __future__ import annotations

from reflect_bot.delivery import digest_composer, goal_composer, prompt
from reflect_bot.delivery.outgoing import Composers

__all__ = ["delivery_composers"]


def delivery_composers(*, bot_username: str | None) -> Composers:
    """The composers of a bot named `bot_username` (known once it is initialised): digests
    link concepts to its t.me deep links, or by button when it is None."""
    return {
        prompt.KIND: prompt.compose_prompt,
        digest_composer.KIND: digest_composer.digest_composer(bot_username=bot_username),
        goal_composer.KIND: goal_composer.compose_follow_up,
    }
