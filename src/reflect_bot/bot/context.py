"""A typed callback context, so handlers reach services without string keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from reflect_bot.services import Services

if TYPE_CHECKING:
    from reflect_bot.bot.question_messages import QuestionMessages
    from reflect_bot.db.models import Clinician, Reflection
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
        self._open_reflection: Reflection | None = None
        self._open_reflection_known = False

    def admitted(self, clinician: Clinician | None, open_reflection: Reflection | None) -> None:
        self.clinician = clinician
        self._open_reflection = open_reflection
        self._open_reflection_known = True

    def peek_open_reflection(self) -> Reflection | None:
        """The open reflection as the guard saw it (None: none, or not known), without
        taking it: for deciding where typed text goes before any flow has run."""
        return self._open_reflection if self._open_reflection_known else None

    def take_open_reflection(self) -> tuple[bool, Reflection | None]:
        """(known, the open reflection as the guard saw it), once: after the first
        transaction of this update it may have changed, so later ones must ask again."""
        known, reflection = self._open_reflection_known, self._open_reflection
        self._open_reflection_known, self._open_reflection = False, None
        return known, reflection


def services_of(context: ReflectContext) -> Services:
    return context.bot_data.services
