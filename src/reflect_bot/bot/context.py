"""A typed callback context, so handlers reach services without string keys."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ExtBot

from reflect_bot.services import Services


class BotData:
    """The application's bot_data: only the services, set once by build_application."""

    services: Services


ReflectContext = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]


def services_of(context: ReflectContext) -> Services:
    return context.bot_data.services
