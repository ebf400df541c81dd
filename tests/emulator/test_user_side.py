"""The people side: user actions, the updates they produce, and the waiting helpers."""

from __future__ import annotations

import asyncio

import pytest

from reflect_bot.emulator import BotAPIEmulator

from ._support import RawApi


async def test_commands_get_bot_command_entities(emu: BotAPIEmulator) -> None:
    message = await emu.send_text(1001, "/start deep-link")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["chat"] == {"id": 1001, "type": "private", "first_name": "User1001"}
    named = await emu.send_text(1001, "😀 /help@reflect_test_bot https://e.org")
    assert named["entities"] == [
        {"type": "bot_command", "offset": 3, "length": 22},
        {"type": "url", "offset": 26, "length": 13},
    ]
    assert [u["message"]["text"] for u in emu.updates] == [
        "/start deep-link",
        "😀 /help@reflect_test_bot https://e.org",
    ]


async def test_wait_sees_replies_sent_before_the_wait(api: RawApi, emu: BotAPIEmulator) -> None:
    await emu.send_text(1001, "/start")
    await api.ok("sendMessage", chat_id=1001, text="first")
    await api.ok("sendMessage", chat_id=1001, text="second")
    # Both replies already happened; the cursor walks through them in order.
    assert (await emu.wait_for_bot_message(1001)).text == "first"
    assert (await emu.wait_for_bot_message(1001)).text == "second"
    # A new user action moves the cursor past anything older.
    await emu.send_text(1001, "again")
    waiting = asyncio.create_task(emu.wait_for_bot_message(1001, timeout=2))
    await asyncio.sleep(0.05)
    await api.ok("sendMessage", chat_id=1001, text="third")
    assert (await waiting).text == "third"


async def test_wait_with_predicate_marker_and_several(api: RawApi, emu: BotAPIEmulator) -> None:
    emu.private_chat(1001, "Ada", started=True)
    marker = emu.mark()
    for text in ("a", "b", "c"):
        await api.ok("sendMessage", chat_id=1001, text=text)
    found = await emu.wait_for_bot_message(1001, after=marker, predicate=lambda m: m.text == "b")
    assert found.text == "b"
    again = await emu.wait_for_bot_messages(1001, 3, after=marker)
    assert [m.text for m in again] == ["a", "b", "c"]


async def test_timeout_explains_what_happened(api: RawApi, emu: BotAPIEmulator) -> None:
    await emu.send_text(1001, "/start")
    await api.error("sendMessage", chat_id=1001, text="<b>oops", parse_mode="HTML")
    with pytest.raises(AssertionError) as caught:
        await emu.wait_for_bot_message(1001, timeout=0.1)
    report = str(caught.value)
    assert "timed out after 0.1s waiting for a bot message in chat 1001" in report
    assert "#1 user 1001: '/start'" in report
    assert "sendMessage (chat 1001): 400 Bad Request: can't parse entities" in report


async def test_assert_no_bot_message(api: RawApi, emu: BotAPIEmulator) -> None:
    await emu.send_text(1001, "quiet please")
    await emu.assert_no_bot_message(1001, within=0.05)
    await api.ok("sendMessage", chat_id=1001, text="noise")
    with pytest.raises(AssertionError, match="noise"):
        await emu.assert_no_bot_message(1001, within=0.05)


async def test_buttons_edits_and_callback_answers(api: RawApi, emu: BotAPIEmulator) -> None:
    await emu.send_text(1001, "/menu")
    keyboard = {
        "inline_keyboard": [
            [{"text": "Reflect", "callback_data": "reflect"}],
            [{"text": "Help", "url": "https://e.org/help"}],
        ]
    }
    sent = await api.ok("sendMessage", chat_id=1001, text="Menu", reply_markup=keyboard)
    record = await emu.wait_for_bot_message(1001)
    assert record.button_texts == ["Reflect", "Help"]
    assert record.callback_data("Reflect") == "reflect"
    assert record.to_api()["reply_markup"] == keyboard

    query_id = await emu.click(1001, "Reflect")
    [update] = await api.ok("getUpdates", offset=emu.updates[-1]["update_id"])
    query = update["callback_query"]
    assert query["id"] == query_id and query["data"] == "reflect"
    assert query["message"]["message_id"] == sent["message_id"]

    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Noted")
    answer = await emu.wait_for_callback_answer(query_id)
    assert answer.text == "Noted" and not answer.show_alert
    assert await api.error("answerCallbackQuery", callback_query_id=query_id) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )

    await api.ok(
        "editMessageText",
        chat_id=1001,
        message_id=sent["message_id"],
        text="<i>Thanks</i>",
        parse_mode="HTML",
    )
    edited = await emu.wait_for_edit(1001, sent["message_id"])
    assert edited.text == "Thanks" and edited.html == "<i>Thanks</i>"
    assert edited.edited and edited.versions == ["Menu"]
    assert edited.buttons == []  # no reply_markup in the edit removes the keyboard

    with pytest.raises(AssertionError, match="no button with callback_data"):
        await emu.press_button(1001, sent["message_id"], "reflect")
    stale = await emu.press_button(1001, sent["message_id"], "reflect", strict=False)
    assert stale in emu.state.callback_queries


async def test_user_edits_produce_edited_message(emu: BotAPIEmulator) -> None:
    original = await emu.send_text(1001, "draft")
    edited = await emu.edit_text(1001, original["message_id"], "final")
    assert edited["text"] == "final" and "edit_date" in edited
    assert emu.updates[-1]["edited_message"]["text"] == "final"
    assert emu.messages(1001)[0].text == "final"


async def test_media_from_users(emu: BotAPIEmulator) -> None:
    photo = await emu.send_photo(1001, caption="whiteboard")
    voice = await emu.send_voice(1001, duration=3)
    sticker = await emu.send_sticker(1001, "🙏")
    location = await emu.send_location(1001, 52.2, 0.12)
    document = await emu.send_document(1001, b"a,b", "data.csv")
    assert photo["photo"][0]["width"] == 1 and photo["caption"] == "whiteboard"
    assert voice["voice"]["duration"] == 3 and voice["voice"]["mime_type"] == "audio/ogg"
    assert sticker["sticker"]["emoji"] == "🙏"
    assert location["location"] == {"latitude": 52.2, "longitude": 0.12}
    assert document["document"]["mime_type"] == "text/csv"
    assert [u["message"]["message_id"] for u in emu.updates] == [1, 2, 3, 4, 5]
    assert emu.documents(1001, from_bot=False)[0].data == b"a,b"


async def test_group_privacy_mode(emu: BotAPIEmulator) -> None:
    emu.group_chat(-5001, "Supervision group", members=[1001, 1002])
    await emu.send_text(-5001, "just chatting", from_user=1002)
    await emu.send_text(-5001, "/start", from_user=1001)
    await emu.send_text(-5001, "/start@other_bot", from_user=1001)
    await emu.send_text(-5001, "hey @reflect_test_bot", from_user=1002)
    seen = [u["message"]["text"] for u in emu.updates]
    assert seen == ["/start", "hey @reflect_test_bot"]
    assert emu.updates[0]["message"]["chat"]["type"] == "group"
    assert emu.updates[0]["message"]["from"]["id"] == 1001
    assert len(emu.messages(-5001)) == 4  # the group itself saw everything
    emu.privacy_mode = False
    await emu.send_text(-5001, "now visible", from_user=1002)
    assert emu.updates[-1]["message"]["text"] == "now visible"


async def test_inject_update_redelivers_a_duplicate(api: RawApi, emu: BotAPIEmulator) -> None:
    await emu.send_text(1001, "once")
    [first] = await api.ok("getUpdates")
    assert await api.ok("getUpdates", offset=first["update_id"] + 1) == []
    emu.inject_update(first)
    [duplicate] = await api.ok("getUpdates", offset=first["update_id"] + 1)
    assert duplicate == first
    assert await api.ok("getUpdates", offset=first["update_id"] + 1) == []
    fresh = emu.inject_update({"message": first["message"]})
    assert fresh["update_id"] == first["update_id"] + 1


async def test_commands_and_chat_actions(api: RawApi, emu: BotAPIEmulator) -> None:
    commands = [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "?"},
    ]
    await api.ok("setMyCommands", commands=commands)
    assert emu.commands == commands
    assert await api.ok("getMyCommands") == commands
    scope = {"type": "all_private_chats"}
    await api.ok("setMyCommands", commands=commands[:1], scope=scope, language_code="de")
    assert emu.commands_for(scope, "de") == commands[:1]
    assert await api.error("setMyCommands", commands=[{"command": "Bad!", "description": "x"}]) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    emu.private_chat(1001, "Ada", started=True)
    await api.ok("sendChatAction", chat_id=1001, action="typing")
    assert emu.chat_actions(1001) == ["typing"]
    assert (await api.error("sendChatAction", chat_id=1001, action="dancing"))[0] == 400


async def test_delete_message_and_reply_parameters(api: RawApi, emu: BotAPIEmulator) -> None:
    question = await emu.send_text(1001, "question")
    answer = await api.ok(
        "sendMessage",
        chat_id=1001,
        text="answer",
        reply_parameters={"message_id": question["message_id"]},
        link_preview_options={"is_disabled": True},
        protect_content=True,
    )
    assert answer["reply_to_message"]["text"] == "question"
    assert answer["link_preview_options"] == {"is_disabled": True}
    assert answer["has_protected_content"] is True
    legacy = await api.ok("sendMessage", chat_id=1001, text="x", disable_web_page_preview=True)
    assert legacy["link_preview_options"] == {"is_disabled": True}
    assert await api.ok("deleteMessage", chat_id=1001, message_id=answer["message_id"]) is True
    assert [m.text for m in emu.messages(1001)] == ["question", "x"]
    assert [m.deleted for m in emu.messages(1001, include_deleted=True)] == [False, True, False]
