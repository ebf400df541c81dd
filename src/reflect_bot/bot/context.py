"""A typed callback context, so handlers reach services without string keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from reflect_bot.services import Services

if TYPE_CHECKING:
    from reflect_bot.bot.question_messages import QuestionMessages
    from reflect_bot.db.models import Clinician, Reflection
    from reflect_bot.db.repositories.reflections import Seen
    from reflect_bot.delivery.ticker import Ticker


class BotData:
    """The application's bot_data: the services and the questions' messages, set once by
    build_application, and the scheduler's ticker, set once at start-up (post_init) when the
    bot's username is known."""

    services: Services
    questions: QuestionMessages
    ticker: Ticker


class ReflectContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context of one update; python-telegram-bot builds one per update, shared by groups.

    The guard loads the clinician and their open reflection in the same transaction that
    records the update, and handlers read them from here instead of querying again.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.clinician: Clinician | None = None
        self._seen: Seen | None = None

    def admitted(self, clinician: Clinician | None, seen: Seen) -> None:
        self.clinician = clinician
        self._seen = seen

    def peek_open_reflection(self) -> Reflection | None:
        """The open reflection as the guard saw it (None: none, or not known), without
        taking it: for deciding where typed text goes before any flow has run."""
        return None if self._seen is None else self._seen.reflection

    def take_open_reflection(self) -> Seen | None:
        """The open reflection and its answers as the guard saw them (None: not known), once:
        after the first transaction of this update they may have changed, so later ones must
        ask again."""
        seen, self._seen = self._seen, None
        return seen


def services_of(context: ReflectContext) -> Services:
    return context.bot_data.services
