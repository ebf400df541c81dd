"""What every handler and job needs, built once per application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reflect_bot.clock import Clock
from reflect_bot.config import Settings

if TYPE_CHECKING:
    from reflect_bot.catalog import Catalog


@dataclass
class Services:
    """The application's shared dependencies; handlers reach them through the context."""

    settings: Settings
    clock: Clock
    catalog: Catalog
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # Telegram chat ids of groups already told the bot works only in private (kept in memory:
    # groups must leave no row behind).
    groups_told: set[int] = field(default_factory=set)
    # Telegram user ids of strangers already told the bot is private to a practice (memory
    # only: strangers must leave no row behind). See bot.guards.admit.
    strangers_told: set[int] = field(default_factory=set)
    # Set once an invite has been seen: the deployment is invite-only from then on.
    invite_only: bool = False
