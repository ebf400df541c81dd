"""The sandbox's web server on 127.0.0.1: the chat page, the emulator's user API, time travel.

Same origin, without a proxy: the page's ``/_emulator/*`` routes are the emulator's own
control API (`ControlApi`) mounted on this server, working on the same in-memory emulator.
So the page long-polls ``/_emulator/changes`` on the address it was loaded from, with no
second HTTP hop and no CORS. The emulator keeps its own port for the bot's Bot API calls,
whose URLs carry the bot token; the page never needs that port.

    GET  /                       the chat page (static files under /static/)
    GET  /_emulator/...          the emulator's user API (see reflect_bot.emulator._control)
    GET  /_sandbox/info          who is who, the command menu, the clock, time travel on/off
    POST /_sandbox/travel        {"jump": "hour"|"day"|"week"|"sunday-evening"|"next-delivery"}
                                 (only when time travel is on; absent in production)

Every request must come from the page itself (a loopback Host, no foreign Origin, JSON
bodies only), so another web site open in the same browser cannot read the sandbox journal
or type into the chat. The emulator's port, which serves the same control API, applies the
same checks (reflect_bot.emulator._guard).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from reflect_bot.emulator._control import ControlApi
from reflect_bot.emulator._guard import refuse_other_sites
from reflect_bot.sandbox._timetravel import Jump, TravelReport

if TYPE_CHECKING:
    from reflect_bot.sandbox._sandbox import Sandbox

__all__ = ["build_page_app"]

_STATIC: dict[str, str] = {
    "sandbox.js": "text/javascript",
    "sandbox.css": "text/css",
}
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_SANDBOX_KEY: web.AppKey[Sandbox] = web.AppKey("sandbox")
PAGE_MAX_BODY_BYTES = 16 * 1024 * 1024

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_page_app(sandbox: Sandbox) -> web.Application:
    # The emulator's own port refuses other sites the same way (emulator/_guard.py).
    from_the_page_only = refuse_other_sites(loopback=True, json_only_under="/")
    # Voice notes come as base64 JSON: room for a few minutes of audio (loopback only).
    app = web.Application(
        middlewares=[from_the_page_only, _headers], client_max_size=PAGE_MAX_BODY_BYTES
    )
    app[_SANDBOX_KEY] = sandbox
    app.router.add_get("/", _index)
    app.router.add_get("/static/{name}", _static)
    ControlApi(sandbox.emulator).add_to(app)
    app.router.add_get("/_sandbox/info", _info)
    if sandbox.time_travel_enabled:
        app.router.add_post("/_sandbox/travel", _travel)
    return app


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def _static_bytes(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


# -- headers ------------------------------------------------------------------------------
@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# -- the page --------------------------------------------------------------------------------
async def _index(request: web.Request) -> web.Response:
    return web.Response(
        body=_static_bytes("index.html"),
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Security-Policy": _PAGE_POLICY},
    )


async def _static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    content_type = _STATIC.get(name)
    if content_type is None:
        raise web.HTTPNotFound()
    return web.Response(body=_static_bytes(name), content_type=content_type, charset="utf-8")


# -- the sandbox API ---------------------------------------------------------------------------
async def _info(request: web.Request) -> web.Response:
    sandbox = request.app[_SANDBOX_KEY]
    emulator = sandbox.emulator
    return _json(
        {
            "ok": True,
            "bot": emulator.state.bot.to_api(),
            "user": emulator.user(sandbox.user_id).to_api(),
            "chat_id": sandbox.user_id,
            "commands": emulator.commands,
            "time_travel": sandbox.time_travel_enabled,
            "clock": await _clock(sandbox),
            "seq": emulator.state.seq,
        }
    )


async def _travel(request: web.Request) -> web.Response:
    sandbox = request.app[_SANDBOX_KEY]
    try:
        body = await request.json()
        jump = Jump(body["jump"])
    except (ValueError, KeyError, TypeError):
        choices = ", ".join(jump.value for jump in Jump)
        return _json({"ok": False, "error": f"jump must be one of: {choices}"}, 400)
    try:
        report = await sandbox.time_travel(jump)
    except Exception as exc:
        # The type only: an exception's message may quote what a clinician wrote.
        log.error("time travel failed: %s", type(exc).__name__)
        return _json({"ok": False, "error": f"time travel failed ({type(exc).__name__})"}, 500)
    return _json({"ok": True, **_report(report), "clock": await _clock(sandbox)})


def _report(report: TravelReport) -> dict[str, Any]:
    return {
        "moved_seconds": report.moved.total_seconds(),
        "stops": report.stops,
        "sent": report.sent,
        "missed": report.missed,
        "nothing_scheduled": report.nothing_scheduled,
        "notes": report.notes,
    }


async def _clock(sandbox: Sandbox) -> dict[str, Any]:
    """The bot's "now" as the clinician reads it, and how far it is ahead of real time."""
    now = sandbox.clock.now()
    zone_name, zone = await sandbox.clinician_zone()
    local = now.astimezone(zone)
    offset = local.utcoffset()
    return {
        "now": now.isoformat(),
        "zone": zone_name,
        "local": _readable(local),
        "utc_offset_minutes": int(offset.total_seconds() // 60) if offset is not None else 0,
        "ahead_seconds": sandbox.clock.offset.total_seconds(),
        # From which message on each jump applied, so the page can show every message at
        # the time the bot believed it was.
        "travels": [
            {"from_message_id": first, "ahead_seconds": ahead}
            for first, ahead in sandbox.travel_history
        ],
    }


def _readable(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"
