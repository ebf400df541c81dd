"""getUpdates: long polling, offsets, allowed_updates, conflicts and request formats."""

from __future__ import annotations

import asyncio
import time

from reflect_bot.emulator import BotAPIEmulator

from ._support import TOKEN, RawApi


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    api: RawApi, emu: BotAPIEmulator
) -> None:
    poll = asyncio.create_task(api.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()  # nothing yet: the request is held open
    started = time.monotonic()
    await emu.send_text(1001, "hello")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.0
    assert [u["message"]["text"] for u in updates] == ["hello"]


async def test_long_poll_times_out_with_an_empty_list(api: RawApi) -> None:
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=0.3) == []
    assert 0.25 <= time.monotonic() - started < 2.0


async def test_offset_confirms_earlier_updates(api: RawApi, emu: BotAPIEmulator) -> None:
    for text in ("one", "two", "three"):
        await emu.send_text(1001, text)
    first = await api.ok("getUpdates")
    assert [u["message"]["text"] for u in first] == ["one", "two", "three"]
    # Without an offset nothing is confirmed: the same updates come again.
    assert await api.ok("getUpdates") == first
    ids = [u["update_id"] for u in first]
    assert ids == sorted(ids) and len(set(ids)) == 3
    rest = await api.ok("getUpdates", offset=ids[1])
    assert [u["update_id"] for u in rest] == ids[1:]
    assert await api.ok("getUpdates", offset=ids[-1] + 1) == []
    assert emu.pending_updates == 0


async def test_limit_and_negative_offset(api: RawApi, emu: BotAPIEmulator) -> None:
    for index in range(5):
        await emu.send_text(1001, f"m{index}")
    assert len(await api.ok("getUpdates", limit=2)) == 2
    last_two = await api.ok("getUpdates", offset=-2)
    assert [u["message"]["text"] for u in last_two] == ["m3", "m4"]
    assert emu.pending_updates == 2  # the older ones were forgotten


async def test_allowed_updates_filters_and_persists(api: RawApi, emu: BotAPIEmulator) -> None:
    emu.private_chat(1001, "Ada", started=True)
    sent = await api.ok(
        "sendMessage",
        chat_id=1001,
        text="pick",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    await emu.send_text(1001, "text")
    await emu.press_button(1001, sent["message_id"], "a")
    updates = await api.ok("getUpdates", allowed_updates=["callback_query"])
    assert [next(k for k in u if k != "update_id") for u in updates] == ["callback_query"]
    await emu.send_text(1001, "ignored")
    # The setting sticks until changed; an empty list restores the default.
    assert await api.ok("getUpdates") == [updates[0]]
    await api.ok("getUpdates", allowed_updates=[], offset=updates[0]["update_id"] + 1)
    await emu.send_text(1001, "seen")
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["seen"]


async def test_second_poller_terminates_the_first(api: RawApi) -> None:
    first = asyncio.create_task(api.call("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert await api.ok("getUpdates", timeout=0) == []
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


async def test_json_body_and_get_query_are_accepted(api: RawApi, emu: BotAPIEmulator) -> None:
    emu.private_chat(1001, "Ada", started=True)
    status, body = await api.call(
        "sendMessage",
        as_json=True,
        chat_id=1001,
        text="<i>json</i>",
        parse_mode="HTML",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    assert status == 200, body
    assert body["result"]["entities"] == [{"offset": 0, "length": 4, "type": "italic"}]
    async with api.session.get(f"{emu.base_url}{TOKEN}/getMe") as response:
        assert (await response.json())["result"]["username"] == "reflect_test_bot"
    async with api.session.get(
        f"{emu.base_url}{TOKEN}/sendMessage", params={"chat_id": "1001", "text": "via GET"}
    ) as response:
        assert (await response.json())["result"]["text"] == "via GET"


async def test_stop_ends_pending_long_polls(emu: BotAPIEmulator, api: RawApi) -> None:
    poll = asyncio.create_task(api.ok("getUpdates", timeout=30))
    # The poll must be waiting in the emulator before it stops (a fixed pause is too short on
    # a busy machine: the request could arrive after the server closed).
    await emu.wait_until(lambda: emu.request_counts["getUpdates"] > 0, timeout=10)
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await emu.stop()
    assert await asyncio.wait_for(poll, 2) == []
    assert time.monotonic() - started < 1.5
