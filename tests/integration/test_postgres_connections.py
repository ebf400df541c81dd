"""Pooled PostgreSQL connections that are gone are replaced, not used.

A restart, a failover or an operator's pg_terminate_backend ends the bot's connections while
they wait in its pool; a firewall or NAT may forget an idle one without a word. The next
transaction must get a live connection and simply work (db/engine.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import urlsplit

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reflect_bot.db import engine as engine_module
from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction

pytestmark = pytest.mark.postgres


async def _backend(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with transaction(sessions) as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_the_server_ended_is_replaced_at_the_next_transaction(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url, pool_size=2, max_overflow=0)
    sessions = create_sessionmaker(engine)
    admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        first = await _backend(sessions)
        ended = await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        assert ended
        await asyncio.sleep(0.2)  # the server's goodbye reaches the bot's event loop

        second = await _backend(sessions)  # no error: a new connection, a new backend

        assert second != first
    finally:
        await admin.close()
        await engine.dispose()


class ForgetfulNat:
    """A TCP relay to PostgreSQL that, once told to forget, drops what it relays as a NAT that
    timed a flow out does: the server's side is closed, the bot hears nothing until it next
    sends, and that gets a reset."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.flows: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self.forgotten: set[asyncio.StreamWriter] = set()

    async def relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection(self.host, self.port)
        self.flows.append((writer, upstream))

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with suppress(ConnectionError):
                while data := await source.read(65536):
                    if writer in self.forgotten:
                        writer.transport.abort()  # a reset, for the bot's first word
                        return
                    sink.write(data)
                    await sink.drain()
            if writer not in self.forgotten:
                sink.close()  # an ordinary goodbye is passed on

        await asyncio.gather(copy(reader, upstream), copy(upstream_reader, writer))

    def forget(self) -> None:
        for bot_side, server_side in self.flows:
            self.forgotten.add(bot_side)
            server_side.close()


@asynccontextmanager
async def forgetful_nat(url: str) -> AsyncIterator[tuple[ForgetfulNat, str]]:
    """A relay to the server in `url`, and the URL that goes through it."""
    parts = urlsplit(url)
    nat = ForgetfulNat(parts.hostname or "127.0.0.1", parts.port or 5432)
    server = await asyncio.start_server(nat.relay, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    user = f"{parts.username}@" if parts.username else ""
    try:
        yield nat, parts._replace(netloc=f"{user}127.0.0.1:{port}").geturl()
    finally:
        server.close()


async def test_an_idle_connection_a_firewall_forgot_is_replaced_at_the_next_transaction(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.1)  # not half a minute
    async with forgetful_nat(postgres_url) as (nat, through_nat):
        engine = create_engine(through_nat, pool_size=1, max_overflow=0)
        sessions = create_sessionmaker(engine)
        try:
            first = await _backend(sessions)
            nat.forget()
            await asyncio.sleep(0.3)  # idle; asyncpg has heard nothing

            second = await _backend(sessions)  # no error: a new connection, a new backend

            assert second != first
        finally:
            await engine.dispose()
