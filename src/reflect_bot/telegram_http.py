"""How the bot's processes reach the Bot API over HTTP: aiohttp's client, one TLS context per bot.

python-telegram-bot sends through a `BaseRequest`; its own is built on httpx. Under a burst
of answers that request machinery was the largest part of the bot's time (bench P6: 44 % of
the bot's CPU, a third of it in httpcore scanning its pool on every request), and a single
sendMessage cost twice the CPU it costs through aiohttp's client, which the webhook server
already brings. So both of a bot's connection pools (getUpdates, everything else) are
`AiohttpRequest`s, mapped onto python-telegram-bot's timeouts and errors as HTTPXRequest maps
httpx's: a request that never left (no free connection, no connection made) is a `TimedOut`
that says so; any other failure on the way is a `NetworkError` (transport.py retries both).

Left to itself, each pool would load the CA certificates into a context of its own (≈ 20 ms
of CPU and 1.7 MB each, bench P5); one context, the one httpx would build (certifi, or
SSL_CERT_FILE/SSL_CERT_DIR), serves both. A Bot API reached over plain HTTP (the local
emulator, the sandbox) never checks a certificate, so the bundle is not loaded at all: the
context given then trusts no one, and a TLS connection through it would fail rather than go
unchecked.
"""

from __future__ import annotations

import ssl
import urllib.request
from urllib.parse import urlsplit

import aiohttp
import httpx
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

NOT_SENT = "No connection to Telegram was free or could be made in time: the request was not sent."


def tls_context(base_url: str, base_file_url: str) -> ssl.SSLContext:
    """The context every connection pool of one bot shares."""
    if base_url.startswith("http://") and base_file_url.startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return httpx.create_ssl_context()


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's requests, sent by an aiohttp client session.

    The session is made in `initialize` (aiohttp binds it to the running loop) and closed in
    `shutdown`; an Application started again after a shutdown gets a new one. Timeouts keep
    HTTPXRequest's defaults and meaning; aiohttp has no write timeout, so a request with a
    body is bounded as a whole by the sum of all four (with the media write timeout for
    uploads).
    """

    __slots__ = (
        "_defaults",
        "_media_write_timeout",
        "_pool_size",
        "_proxies",
        "_session",
        "_tls",
    )

    def __init__(
        self,
        *,
        tls: ssl.SSLContext,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._tls = tls
        self._pool_size = connection_pool_size
        self._defaults = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        # HTTP_PROXY, HTTPS_PROXY and NO_PROXY, read once, as httpx honoured them. (aiohttp's
        # own trust_env looks them up again in a worker thread for every request.)
        self._proxies = urllib.request.getproxies_environment()
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._defaults[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=self._tls),
                # Telegram sets no cookies; nothing from a response is kept.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        default_read, default_write, default_connect, default_pool = self._defaults
        if request_data is not None and request_data.contains_files:
            default_write = self._media_write_timeout
        read = _given(read_timeout, default_read)
        write = _given(write_timeout, default_write)
        connect = _given(connect_timeout, default_connect)
        pool = _given(pool_timeout, default_pool)
        timeout = aiohttp.ClientTimeout(
            # Only a request with a body has a write to bound; a download (a voice note of up
            # to 20 MB) may take as long as it keeps arriving, each read within `read`.
            total=None if request_data is None else _sum(pool, connect, write, read),
            connect=_sum(pool, connect),  # waiting for a pooled connection, or making one
            sock_connect=connect,
            sock_read=read,
        )
        body, headers = _body(request_data, self.USER_AGENT)
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy_for(url),
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut(NOT_SENT) from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class name too: some of aiohttp's errors have an empty message.
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy_for(self, url: str) -> str | None:
        if not self._proxies:
            return None
        parts = urlsplit(url)
        if urllib.request.proxy_bypass(parts.hostname or ""):  # NO_PROXY
            return None
        return self._proxies.get(parts.scheme)


def _given(timeout: object, default: float | None) -> float | None:
    """A call's own timeout, or this pool's when the call left it to the pool."""
    if timeout is BaseRequest.DEFAULT_NONE:
        return default
    if timeout is not None and not isinstance(timeout, int | float):
        raise TypeError(f"a timeout is a number of seconds or None, not {timeout!r}")
    return timeout


def _sum(*timeouts: float | None) -> float | None:
    """None (no limit) if any part has none, as that part alone could take forever."""
    return None if any(t is None for t in timeouts) else sum(t or 0.0 for t in timeouts)


def _body(
    request_data: RequestData | None, user_agent: str
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str]]:
    """The request's body, as Telegram takes it (URL-encoded, or multipart when files go with
    it), and its headers. The URL-encoded form is made here: given a dict, aiohttp would build
    a multipart writer first (a random boundary from os.urandom) only to encode it the same
    way, on every request."""
    headers = {"User-Agent": user_agent}
    if request_data is None:
        return None, headers
    if not request_data.contains_files:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return request_data.url_encoded_parameters().encode(), headers
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, headers


def requests(
    *,
    base_url: str,
    base_file_url: str,
    connection_pool_size: int = 8,
    pool_timeout: float | None = 10.0,
    read_timeout: float | None = 5.0,
) -> tuple[AiohttpRequest, AiohttpRequest]:
    """A bot's two pools, sharing one TLS context: everything but getUpdates, and getUpdates
    (one connection). A request waits up to `pool_timeout` for a free connection; it has not
    been sent then, so a timeout is retried safely (transport.py)."""
    tls = tls_context(base_url, base_file_url)
    return (
        AiohttpRequest(
            tls=tls,
            connection_pool_size=connection_pool_size,
            pool_timeout=pool_timeout,
            read_timeout=read_timeout,
        ),
        AiohttpRequest(tls=tls),
    )


def bot(
    token: str,
    *,
    base_url: str,
    base_file_url: str,
    connection_pool_size: int = 8,
    read_timeout: float | None = 5.0,
) -> Bot:
    """A Bot without an Application (the transcriber's), its pools made by `requests`."""
    pool, updates = requests(
        base_url=base_url,
        base_file_url=base_file_url,
        connection_pool_size=connection_pool_size,
        read_timeout=read_timeout,
    )
    return Bot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=pool,
        get_updates_request=updates,
    )
