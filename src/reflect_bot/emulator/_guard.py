"""Refusing other web sites, on every port the emulator and the sandbox open.

Nothing served here has authentication: it answers whoever can reach 127.0.0.1. A web page
open in the same browser can, in two ways, and both are refused on every route:

- DNS rebinding: the page's own name pointed at 127.0.0.1 reads answers, but its requests
  carry its name in Host. A server bound to loopback answers only loopback Host names.
- Blind cross-site requests: a browser marks them with an Origin header that is not this
  server's own; a form or text/plain body needs no CORS preflight, so the JSON APIs accept
  JSON bodies only (which a browser never sends cross-site without a preflight we refuse).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

__all__ = ["LOOPBACK_HOSTS", "refuse_other_sites"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def refuse_other_sites(*, loopback: bool, json_only_under: str) -> Middleware:
    """A middleware for a server bound to `loopback` (then Host names are checked) whose
    POSTs under the `json_only_under` path prefix must be JSON."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if loopback and _host_name(request.host) not in LOOPBACK_HOSTS:
            return _refusal("this server answers only on 127.0.0.1", 403)
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return _refusal("cross-origin requests are refused", 403)
        if (
            request.method not in {"GET", "HEAD"}
            and request.path.startswith(json_only_under)
            and request.content_type != "application/json"
        ):
            return _refusal("send JSON (Content-Type: application/json)", 415)
        return await handler(request)

    return guard


def _host_name(host: str) -> str:
    """The Host header without its port ("[::1]:8765" -> "[::1]", "localhost" -> itself)."""
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() and not host.endswith("]") else host


def _refusal(error: str, status: int) -> web.Response:
    # Both spellings: the control API says "error", the Bot API "description".
    body = {"ok": False, "error": error, "error_code": status, "description": error}
    return web.json_response(body, status=status, dumps=json.dumps)
