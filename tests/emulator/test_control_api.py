"""The ``/_emulator`` JSON API a browser page uses to play the user."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from reflect_bot.emulator import BotAPIEmulator

from ._support import RawApi


async def _post(api: RawApi, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with api.session.post(f"{api.emu.url}/_emulator{path}", json=body) as response:
        return response.status, await response.json()


async def _get(api: RawApi, path: str) -> tuple[int, dict[str, Any]]:
    async with api.session.get(f"{api.emu.url}/_emulator{path}") as response:
        return response.status, await response.json()


async def test_chat_round_trip_over_http(api: RawApi, emu: BotAPIEmulator) -> None:
    status, created = await _post(api, "/chats", {"user_id": 7, "first_name": "Cleo"})
    assert status == 200 and created["chat"]["first_name"] == "Cleo"
    status, sent = await _post(api, "/chats/7/messages", {"text": "/start"})
    assert status == 200 and sent["message"]["entities"][0]["type"] == "bot_command"

    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    bot_message = await api.ok(
        "sendMessage", chat_id=7, text="<b>Hi</b> Cleo", parse_mode="HTML", reply_markup=keyboard
    )
    status, listing = await _get(api, "/chats/7/messages")
    assert status == 200
    last = listing["messages"][-1]
    assert last["from_bot"] is True
    assert last["html"] == "<b>Hi</b> Cleo" and last["text"] == "Hi Cleo"
    assert last["buttons"] == [[{"text": "Go", "callback_data": "go"}]]

    status, pressed = await _post(
        api, "/chats/7/callback", {"message_id": bot_message["message_id"], "text": "Go"}
    )
    assert status == 200
    assert emu.updates[-1]["callback_query"]["id"] == pressed["callback_query_id"]

    status, edited = await _post(
        api, f"/chats/7/messages/{sent['message']['message_id']}/edit", {"text": "/help"}
    )
    assert status == 200 and edited["message"]["text"] == "/help"


async def test_documents_over_http(api: RawApi, emu: BotAPIEmulator) -> None:
    data = b"\x00binary\xff"
    status, sent = await _post(
        api,
        "/chats/7/documents",
        {"file_name": "x.bin", "data_base64": base64.b64encode(data).decode()},
    )
    assert status == 200
    file_id = sent["message"]["document"]["file_id"]
    async with api.session.get(f"{emu.url}/_emulator/files/{file_id}") as response:
        assert response.status == 200
        assert await response.read() == data
        assert 'filename="x.bin"' in response.headers["Content-Disposition"]
    _, listing = await _get(api, "/chats/7/messages")
    assert listing["messages"][0]["document"]["download_url"] == f"/_emulator/files/{file_id}"


async def test_changes_long_poll(api: RawApi, emu: BotAPIEmulator) -> None:
    _, info = await _get(api, "/info")
    since = info["seq"]
    poll = asyncio.create_task(_get(api, f"/changes?since={since}&timeout=5"))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await emu.send_text(1001, "ping")
    status, changes = await asyncio.wait_for(poll, 2)
    assert status == 200
    assert [e["kind"] for e in changes["events"]] == ["user_message"]
    assert changes["events"][0]["message"]["text"] == "ping"
    assert changes["seq"] == since + 1
    _, empty = await _get(api, f"/changes?since={changes['seq']}&timeout=0")
    assert empty["events"] == []


async def test_errors_and_stats(api: RawApi, emu: BotAPIEmulator) -> None:
    status, body = await _get(api, "/chats/999/messages")
    assert status == 404 and body == {"ok": False, "error": "chat 999 not found"}
    status, body = await _post(api, "/chats/7/messages", {"text": ""})
    assert status == 400 and body["ok"] is False
    status, body = await _post(api, "/chats/-3/messages", {"text": "hi"})
    assert status == 400 and "group_chat" in body["error"]
    await api.error("sendMessage", chat_id=1, text="x")
    _, stats = await _get(api, "/stats")
    assert stats["request_counts"] == {"sendMessage": 1}
    assert stats["errors"][-1]["description"] == "Bad Request: chat not found"


async def test_voice_notes_over_http(api: RawApi, emu: BotAPIEmulator) -> None:
    """The sandbox page sends a recorded or attached voice note; the bot receives it."""
    data = b"OggS" + bytes(60)
    status, sent = await _post(
        api,
        "/chats/7/voice",
        {"data_base64": base64.b64encode(data).decode(), "duration": 4, "mime_type": "audio/webm"},
    )
    assert status == 200
    voice = emu.updates[-1]["message"]["voice"]
    assert voice["duration"] == 4 and voice["mime_type"] == "audio/webm"
    assert voice["file_id"] == sent["message"]["voice"]["file_id"]
    async with api.session.get(f"{emu.url}/_emulator/files/{voice['file_id']}") as response:
        assert await response.read() == data
    status, refused = await _post(api, "/chats/7/voice", {"data_base64": ""})
    assert status == 400 and "empty" in refused["error"]
