"""The bot's requests to Telegram (telegram_http.AiohttpRequest), against real servers on
127.0.0.1: what a stalled, busy, absent or proxied Telegram looks like to the code that
retries (transport.py), and that a form and a file arrive as sent."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from reflect_bot import telegram_http
from reflect_bot.emulator import BotAPIEmulator

TOKEN = "123456:HTTP"
USER = 1001
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Serves one handler for every path; gives its base address."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


def _request(
    *,
    connection_pool_size: int = 1,
    pool_timeout: float = 1.0,
    connect_timeout: float = 5.0,
    write_timeout: float = 5.0,
    read_timeout: float = 5.0,
) -> telegram_http.AiohttpRequest:
    return telegram_http.AiohttpRequest(
        tls=telegram_http.tls_context("http://", "http://"),
        connection_pool_size=connection_pool_size,
        pool_timeout=pool_timeout,
        connect_timeout=connect_timeout,
        write_timeout=write_timeout,
        read_timeout=read_timeout,
    )


async def test_a_request_waiting_for_a_busy_connection_is_not_sent_and_says_so(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    arrived: list[str] = []
    reached, release = asyncio.Event(), asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        arrived.append(request.path)
        reached.set()
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    base = await serve(slow)
    # aiohttp bounds getting a connection as a whole: the wait for one, then making one.
    request = _request(connection_pool_size=1, pool_timeout=0.2, connect_timeout=0.2)
    await request.initialize()
    try:
        first = asyncio.create_task(request.do_request(f"{base}/first", "POST"))
        await reached.wait()
        with pytest.raises(TimedOut, match="not sent"):
            await request.do_request(f"{base}/second", "POST")
        release.set()
        assert (await first)[0] == 200
    finally:
        release.set()
        await request.shutdown()
    assert arrived == ["/first"], "the request that timed out waiting never reached Telegram"


async def test_an_answer_that_never_comes_times_out_on_the_read_timeout(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    release = asyncio.Event()

    async def silent(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response()

    base = await serve(silent)
    request = _request(read_timeout=0.3)
    await request.initialize()
    started = time.monotonic()
    try:
        with pytest.raises(TimedOut) as raised:
            await request.do_request(f"{base}/sendMessage", "POST")
    finally:
        release.set()
        await request.shutdown()
    assert "not sent" not in str(raised.value), "it was sent: Telegram may have acted on it"
    assert time.monotonic() - started < 5


async def test_a_slow_but_steady_download_is_not_cut_off(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    """A voice note arriving slowly, each piece well within the read timeout, is downloaded
    whole even when it takes longer than all the timeouts added together."""
    pieces = [bytes([n]) * 1000 for n in range(8)]

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for piece in pieces:
            await response.write(piece)
            await asyncio.sleep(0.15)
        await response.write_eof()
        return response

    base = await serve(trickle)
    request = _request(pool_timeout=0.1, connect_timeout=0.1, write_timeout=0.1, read_timeout=0.5)
    await request.initialize()
    try:
        started = time.monotonic()
        status, body = await request.do_request(f"{base}/file/voice.oga", "GET")
        assert time.monotonic() - started > 0.8, "longer than the four timeouts together"
    finally:
        await request.shutdown()
    assert (status, body) == (200, b"".join(pieces))


async def test_no_server_is_a_network_error_naming_what_failed() -> None:
    with socket_that_refuses() as port:
        request = _request()
        await request.initialize()
        try:
            with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
                await request.do_request(f"http://127.0.0.1:{port}/bot/getMe", "POST")
        finally:
            await request.shutdown()


def _bot(emulator: BotAPIEmulator) -> Bot:
    return telegram_http.bot(
        TOKEN, base_url=emulator.base_url, base_file_url=emulator.base_file_url
    )


@contextmanager
def socket_that_refuses() -> Iterator[int]:
    """A port on 127.0.0.1 that nothing listens on (bound, never listening)."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


async def test_text_a_file_and_its_download_travel_unchanged() -> None:
    """A message with every awkward character, at Telegram's length limit, and a document out
    and back (the multipart upload, and the download a voice note takes)."""
    text = ("שלום <b>&amp; * _ ` 🌱 " * 200)[:4096]
    content = "# Journal\n\n✓ <i>kept</i>\n".encode()
    async with BotAPIEmulator(token=TOKEN) as emulator:
        emulator.private_chat(USER, "Ada", started=True)
        async with _bot(emulator) as bot:
            await bot.send_message(USER, text)
            sent = await bot.send_document(
                USER, InputFile(content, filename="journal.md"), caption="Your journal"
            )
            assert sent.document is not None
            file = await bot.get_file(sent.document.file_id)
            downloaded = bytes(await file.download_as_bytearray())
        assert emulator.bot_messages(USER)[0].text == text
        (document,) = emulator.documents(USER)
        assert (document.file_name, document.data) == ("journal.md", content)
        assert downloaded == content


async def test_a_proxy_in_the_environment_is_used_unless_no_proxy_names_the_host(
    serve: Callable[[Handler], Awaitable[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is honoured, as python-telegram-bot's own requests honoured it."""
    proxied: list[str] = []
    async with BotAPIEmulator(token=TOKEN) as emulator, aiohttp.ClientSession() as onward:

        async def forward(request: web.Request) -> web.Response:
            proxied.append(request.path)
            async with onward.request(
                request.method,
                request.url,  # the absolute address a client gives its proxy
                data=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as answer:
                return web.Response(
                    status=answer.status,
                    body=await answer.read(),
                    content_type=answer.content_type,
                )

        proxy = await serve(forward)
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with _bot(emulator) as bot:
            assert bot.username
        assert proxied == [f"/bot{TOKEN}/getMe"]

        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with _bot(emulator) as direct:
            assert isinstance(direct, Bot) and direct.username
        assert proxied == [f"/bot{TOKEN}/getMe"], "NO_PROXY named the host: it went direct"
