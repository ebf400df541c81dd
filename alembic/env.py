"""Alembic environment: URL from reflect-bot's settings, tables from SQLModel.metadata."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import reflect_bot.db.models  # registers every table on SQLModel.metadata
from reflect_bot.config import get_settings
from reflect_bot.db.engine import create_engine

config = context.config
# Migrations serve both databases (scripts/regenerate-baseline autogenerates on SQLite), so
# the models' PostgreSQL-only options are always present here; the bot itself never adds them.
reflect_bot.db.models.add_postgresql_options()
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return str(url) if url else get_settings().effective_database_url


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Render our column types by their import path so migrations stay importable.
    module = type(obj).__module__
    if type_ == "type" and module.startswith("reflect_bot."):
        autogen_context.imports.add(f"import {module}")
        return f"{module}.{type(obj).__name__}()"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_async())


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_item=_render_item
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
