"""How the bot's processes reach the Bot API over HTTP: one TLS context per bot.

Left to itself, each of python-telegram-bot's connection pools (getUpdates, everything else)
loads the CA certificates into a context of its own (≈ 20 ms of CPU and 1.7 MB each, bench
P5); one context, the one httpx would build, serves both. A Bot API reached over plain HTTP
(the local emulator, the sandbox) never checks a certificate, so the bundle is not loaded at
all: the context given then trusts no one, and a TLS connection through it would fail rather
than go unchecked.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx
from telegram import Bot
from telegram.request import HTTPXRequest


def tls_context(base_url: str, base_file_url: str) -> ssl.SSLContext:
    """The context every connection pool of one bot shares."""
    if base_url.startswith("http://") and base_file_url.startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return httpx.create_ssl_context()


def requests(
    *, base_url: str, base_file_url: str, **request: Any
) -> tuple[HTTPXRequest, HTTPXRequest]:
    """A bot's two pools, sharing one TLS context: everything but getUpdates (configured by
    `request`, HTTPXRequest's keyword arguments), and getUpdates (one connection)."""
    verify = {"verify": tls_context(base_url, base_file_url)}
    return (
        HTTPXRequest(httpx_kwargs=verify, **request),
        HTTPXRequest(connection_pool_size=1, httpx_kwargs=verify),
    )


def bot(token: str, *, base_url: str, base_file_url: str, **request: Any) -> Bot:
    """A Bot without an Application (the transcriber's), its pools made by `requests`."""
    pool, updates = requests(base_url=base_url, base_file_url=base_file_url, **request)
    return Bot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=pool,
        get_updates_request=updates,
    )
