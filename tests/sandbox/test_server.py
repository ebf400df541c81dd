"""The sandbox's web server as the chat page uses it: the page, the emulator's user API on the
same origin, the command menu, time travel, and its refusal of other web sites."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from reflect_bot.config import get_settings
from reflect_bot.db.engine import transaction
from reflect_bot.db.repositories import clinicians, schedules
from reflect_bot.delivery.planner import rotation_of
from reflect_bot.domain.scheduling import MONDAY, SUNDAY
from reflect_bot.flows.planning import replan
from reflect_bot.sandbox import (
    Jump,
    PortInUseError,
    Sandbox,
    SandboxOptions,
    next_weekday_at,
    options_from_environment,
)
from reflect_bot.ui import texts

from .support import running_sandbox

LONDON = ZoneInfo("Europe/London")


async def _get(http: aiohttp.ClientSession, sandbox: Sandbox, path: str) -> dict[str, Any]:
    async with http.get(sandbox.url.rstrip("/") + path) as response:
        assert response.status == 200, await response.text()
        data: dict[str, Any] = await response.json()
        return data


async def _post(
    http: aiohttp.ClientSession, sandbox: Sandbox, path: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    async with http.post(sandbox.url.rstrip("/") + path, json=body) as response:
        if response.content_type != "application/json":
            return response.status, {}
        return response.status, await response.json()


def _to_monday_morning(sandbox: Sandbox) -> None:
    """Moves the bot's clock to next Monday 09:00 in London, so the week ahead is known."""
    monday = next_weekday_at(sandbox.clock.now(), LONDON, MONDAY, time(9, 0))
    sandbox.clock.advance(monday - sandbox.clock.now())


async def _onboard(sandbox: Sandbox) -> None:
    """/start, consent and a time zone, as a person clicks through them."""
    emu, user = sandbox.emulator, sandbox.user_id
    await emu.send_text(user, "/start")
    welcome = await emu.wait_for_bot_message(user, predicate=lambda m: "Welcome" in (m.text or ""))
    await emu.press_button(user, welcome.message_id, text=texts.CONSENT_BUTTON)
    ask = await emu.wait_for_bot_message(user, predicate=lambda m: "time zone" in (m.text or ""))
    await emu.press_button(user, ask.message_id, text="London")
    await emu.wait_for_bot_message(user, predicate=lambda m: "You're all set" in (m.text or ""))


async def test_the_page_and_its_files_are_served(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(sandbox.url) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    assert '<script src="/static/sandbox.js">' in page
    for name, kind in (("sandbox.js", "text/javascript"), ("sandbox.css", "text/css")):
        async with http.get(f"{sandbox.url}static/{name}") as response:
            assert response.status == 200 and response.content_type == kind
    for name in ("index.html.bak", "..%2F_server.py", "nothing.js"):
        async with http.get(f"{sandbox.url}static/{name}") as response:
            assert response.status == 404


async def test_the_page_talks_to_the_bot_on_its_own_origin(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    info = await _get(http, sandbox, "/_sandbox/info")
    assert info["chat_id"] == sandbox.user_id
    assert info["bot"]["username"] == "reflect_sandbox_bot"
    assert [c["command"] for c in info["commands"]] == [name for name, _ in texts.COMMANDS]
    assert info["time_travel"] is True
    assert info["clock"]["zone"] == "UTC" and info["clock"]["ahead_seconds"] == 0

    status, _ = await _post(
        http, sandbox, f"/_emulator/chats/{sandbox.user_id}/messages", {"text": "/start"}
    )
    assert status == 200
    since, welcome = info["seq"], None
    while welcome is None:  # the page's long poll, exactly as sandbox.js runs it
        changes = await _get(http, sandbox, f"/_emulator/changes?since={since}&timeout=5")
        since = changes["seq"]
        welcome = next((e["message"] for e in changes["events"] if e["kind"] == "message"), None)
    assert welcome["html"].startswith("<b>Welcome to reflect-bot</b>")
    assert welcome["buttons"][0][0]["text"] == texts.CONSENT_BUTTON


async def test_other_web_sites_cannot_reach_the_sandbox(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    messages = f"{sandbox.url}_emulator/chats/{sandbox.user_id}/messages"
    # A form or text/plain post needs no CORS preflight, so it is refused outright.
    async with http.post(messages, data='{"text": "/forget"}') as response:
        assert response.status == 415
    async with http.post(
        messages, json={"text": "/forget"}, headers={"Origin": "https://elsewhere.example"}
    ) as response:
        assert response.status == 403
    # DNS rebinding: another site's name pointed at 127.0.0.1 still carries its own Host.
    async with http.get(
        f"{sandbox.url}_sandbox/info", headers={"Host": f"rebound.example:{sandbox.port}"}
    ) as response:
        assert response.status == 403
    assert sandbox.emulator.messages(sandbox.user_id) == []


async def test_time_travel_brings_the_next_scheduled_prompt(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    _to_monday_morning(sandbox)  # the next delivery is then Monday 18:00's check-in
    await _onboard(sandbox)
    offer = await sandbox.emulator.wait_for_bot_message(
        sandbox.user_id, predicate=lambda m: "starter plan" in (m.text or "")
    )
    await sandbox.emulator.press_button(
        sandbox.user_id, offer.message_id, text=texts.STARTER_ACCEPT
    )
    await sandbox.emulator.wait_for_bot_message(
        sandbox.user_id, predicate=lambda m: texts.STARTER_ACCEPTED[:12] in (m.text or "")
    )

    ahead = sandbox.clock.offset.total_seconds()
    status, hour = await _post(http, sandbox, "/_sandbox/travel", {"jump": "hour"})
    assert status == 200 and hour["clock"]["ahead_seconds"] == ahead + 3600
    status, travelled = await _post(http, sandbox, "/_sandbox/travel", {"jump": "next-delivery"})
    assert status == 200, travelled
    assert travelled["sent"] == 1
    local = sandbox.clock.now().astimezone(LONDON)
    assert (local.weekday(), local.hour, local.minute) == (MONDAY, 18, 0)
    assert travelled["clock"]["zone"] == "Europe/London"
    prompt = sandbox.emulator.last_bot_message(sandbox.user_id)
    assert "Time to reflect" in (prompt.text or "")
    assert texts.PROMPT_START in prompt.button_texts

    status, refused = await _post(http, sandbox, "/_sandbox/travel", {"jump": "yesterday"})
    assert status == 400 and "hour" in refused["error"]


async def test_next_sunday_evening_brings_the_weekly_digest(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    await _onboard(sandbox)
    services = sandbox.application.bot_data.services
    async with transaction(services.sessions) as session:
        clinician = await clinicians.get_by_user(session, telegram_user_id=sandbox.user_id)
        assert clinician is not None and clinician.id is not None
        now = sandbox.clock.now()
        await schedules.add(
            session,
            clinician_id=clinician.id,
            kind="digest",
            program_id=None,
            weekdays=1 << SUNDAY,
            local_time=time(18, 0),
            now=now,
        )
        await replan(session, rotation=rotation_of(services), clinician_id=clinician.id, now=now)

    status, travelled = await _post(http, sandbox, "/_sandbox/travel", {"jump": "sunday-evening"})
    assert status == 200, travelled
    local = sandbox.clock.now().astimezone(LONDON)
    assert (local.weekday(), local.hour, local.minute) == (SUNDAY, 18, 0)
    assert travelled["sent"] == 1
    digest = sandbox.emulator.last_bot_message(sandbox.user_id)
    assert "Your week in reflection" in (digest.text or "")


async def test_next_delivery_with_nothing_scheduled_leaves_the_clock_alone(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, travelled = await _post(http, sandbox, "/_sandbox/travel", {"jump": "next-delivery"})
    assert status == 200 and travelled["nothing_scheduled"] is True
    assert travelled["clock"]["ahead_seconds"] == 0


async def test_time_travel_does_not_exist_in_production(
    tmp_path: Path, http: aiohttp.ClientSession, encryption_key: str
) -> None:
    production = get_settings(_env_file=None, env="production", encryption_keys=encryption_key)
    assert options_from_environment(production).time_travel is False

    async with running_sandbox(tmp_path, time_travel=False) as sandbox:
        info = await _get(http, sandbox, "/_sandbox/info")
        assert info["time_travel"] is False
        status, _ = await _post(http, sandbox, "/_sandbox/travel", {"jump": "day"})
        assert status == 404
        try:
            await sandbox.time_travel(Jump.DAY)
        except PermissionError:
            pass
        else:
            raise AssertionError("time travel ran with the control switched off")
        assert sandbox.clock.offset.total_seconds() == 0


async def test_a_restarted_sandbox_carries_on_where_it_stopped(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path) as first:
        await first.emulator.send_text(first.user_id, "/start")
        welcome = await first.emulator.wait_for_bot_message(first.user_id)
        await first.emulator.press_button(
            first.user_id, welcome.message_id, text=texts.CONSENT_BUTTON
        )
        await first.emulator.wait_for_bot_message(
            first.user_id, predicate=lambda m: "time zone" in (m.text or "")
        )
        await first.time_travel(Jump.DAY)
        last_id = first.emulator.messages(first.user_id)[-1].message_id

    async with running_sandbox(tmp_path) as second:
        assert second.clock.offset.total_seconds() >= 24 * 3600  # time never goes back
        await second.emulator.send_text(second.user_id, "/start")
        # Not ignored as an update already handled, and answered as someone already known.
        again = await second.emulator.wait_for_bot_message(second.user_id)
        assert "Which time zone" in (again.text or "")
        assert again.message_id > last_id


async def test_stopping_ends_the_pages_long_poll_at_once(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    async with running_sandbox(tmp_path) as sandbox:
        info = await _get(http, sandbox, "/_sandbox/info")
        poll = asyncio.create_task(
            _get(http, sandbox, f"/_emulator/changes?since={info['seq']}&timeout=30")
        )
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
    await asyncio.wait_for(poll, 3)
    assert asyncio.get_running_loop().time() - started < 3
    assert sandbox.clock.now().tzinfo is UTC


async def test_a_busy_port_is_an_error_only_when_it_was_asked_for(tmp_path: Path) -> None:
    settings = get_settings(_env_file=None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        asked = Sandbox(
            settings, SandboxOptions(data_dir=tmp_path, port=busy, port_is_explicit=True)
        )
        with pytest.raises(PortInUseError):
            await asked.start()
        # Everything that had started is stopped again.
        assert asked.emulator.state.closing and not asked.application.running
        async with Sandbox(settings, SandboxOptions(data_dir=tmp_path, port=busy)) as detoured:
            assert detoured.port not in (0, busy)
