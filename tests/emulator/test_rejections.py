"""Every refusal Telegram makes that the emulator reproduces, with Telegram's texts."""

from __future__ import annotations

import pytest

from reflect_bot.emulator import BotAPIEmulator, Descriptions

from ._support import TOKEN, RawApi


def _keyboard(*buttons: dict[str, object]) -> dict[str, object]:
    return {"inline_keyboard": [list(buttons)]}


async def test_wrong_token_is_unauthorized(api: RawApi) -> None:
    status, body = await api.call("getMe", token="123456:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_unknown_method_is_not_found(api: RawApi) -> None:
    assert await api.error("sendCarrierPigeon") == (404, "Not Found: method not found")


async def test_method_names_are_case_insensitive(api: RawApi) -> None:
    me = await api.ok("GETME")
    assert me["username"] == "reflect_test_bot"
    assert me["is_bot"] is True
    assert me["id"] == int(TOKEN.split(":")[0])


async def test_text_limit_counts_characters_after_parsing(api: RawApi, chat: int) -> None:
    await api.ok("sendMessage", chat_id=chat, text="x" * 4096)
    # Markup does not count: 4096 visible characters inside tags are fine.
    await api.ok("sendMessage", chat_id=chat, text=f"<b>{'y' * 4096}</b>", parse_mode="HTML")
    # "&lt;" is one character once parsed.
    await api.ok("sendMessage", chat_id=chat, text="&lt;" * 4096, parse_mode="HTML")
    assert await api.error("sendMessage", chat_id=chat, text="x" * 4097) == (
        400,
        "Bad Request: message is too long",
    )


async def test_caption_limit(api: RawApi, chat: int) -> None:
    document = {"document": ("a.txt", b"data", "text/plain")}
    status, body = await api.call("sendDocument", chat_id=chat, caption="c" * 1024, files=document)
    assert status == 200, body
    status, body = await api.call("sendDocument", chat_id=chat, caption="c" * 1025, files=document)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
async def test_empty_text(api: RawApi, chat: int, text: str) -> None:
    assert await api.error("sendMessage", chat_id=chat, text=text, parse_mode="HTML") == (
        400,
        "Bad Request: message text is empty",
    )


async def test_missing_text_is_empty_text(api: RawApi, chat: int) -> None:
    assert await api.error("sendMessage", chat_id=chat) == (400, Descriptions.TEXT_EMPTY)


async def test_callback_data_over_64_bytes(api: RawApi, chat: int) -> None:
    ok_data = "é" * 32  # 64 bytes in UTF-8
    await api.ok(
        "sendMessage",
        chat_id=chat,
        text="pick",
        reply_markup=_keyboard({"text": "A", "callback_data": ok_data}),
    )
    too_long = "é" * 32 + "x"  # 33 characters, 65 bytes
    assert await api.error(
        "sendMessage",
        chat_id=chat,
        text="pick",
        reply_markup=_keyboard({"text": "A", "callback_data": too_long}),
    ) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_button_without_action_is_refused(api: RawApi, chat: int) -> None:
    assert await api.error(
        "sendMessage", chat_id=chat, text="pick", reply_markup=_keyboard({"text": "A"})
    ) == (
        400,
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard",
    )


async def test_button_with_two_actions_is_refused(api: RawApi, chat: int) -> None:
    status, description = await api.error(
        "sendMessage",
        chat_id=chat,
        text="pick",
        reply_markup=_keyboard({"text": "A", "callback_data": "a", "url": "https://e.org"}),
    )
    assert status == 400
    assert description.startswith("Bad Request: can't parse inline keyboard button: exactly one")


async def test_bad_button_url_and_malformed_markup(api: RawApi, chat: int) -> None:
    assert await api.error(
        "sendMessage",
        chat_id=chat,
        text="pick",
        reply_markup=_keyboard({"text": "A", "url": "javascript:alert(1)"}),
    ) == (400, "Bad Request: BUTTON_URL_INVALID")
    assert await api.error("sendMessage", chat_id=chat, text="x", reply_markup="{not json") == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("score < 3", 'Unsupported start tag "" at byte offset 6'),
        ("Q&A", 'Unescaped "&" at byte offset 1'),
    ],
)
async def test_html_the_parser_refuses(api: RawApi, chat: int, text: str, detail: str) -> None:
    status, description = await api.error("sendMessage", chat_id=chat, text=text, parse_mode="HTML")
    assert status == 400
    assert description.startswith("Bad Request: can't parse entities: " + detail)


async def test_bare_ampersand_allowed_when_not_strict(
    api: RawApi, chat: int, emu: BotAPIEmulator
) -> None:
    emu.strict_html = False
    result = await api.ok("sendMessage", chat_id=chat, text="Q&A", parse_mode="HTML")
    assert result["text"] == "Q&A"


async def test_unknown_parse_mode(api: RawApi, chat: int) -> None:
    assert await api.error("sendMessage", chat_id=chat, text="x", parse_mode="BBCode") == (
        400,
        "Bad Request: unsupported parse_mode",
    )


async def test_edit_with_identical_content_is_not_modified(api: RawApi, chat: int) -> None:
    markup = _keyboard({"text": "A", "callback_data": "a"})
    sent = await api.ok(
        "sendMessage", chat_id=chat, text="<b>hi</b>", parse_mode="HTML", reply_markup=markup
    )
    same = {"chat_id": chat, "message_id": sent["message_id"], "reply_markup": markup}
    assert await api.error("editMessageText", text="<b>hi</b>", parse_mode="HTML", **same) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    # Same text but different formatting is a modification.
    edited = await api.ok("editMessageText", text="hi", **same)
    assert edited["text"] == "hi"
    assert "entities" not in edited
    assert "edit_date" in edited
    status, description = await api.error("editMessageReplyMarkup", **same)
    assert (status, description) == (400, Descriptions.NOT_MODIFIED)


async def test_edit_of_unknown_message(api: RawApi, chat: int) -> None:
    assert await api.error("editMessageText", chat_id=chat, message_id=999, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )


async def test_bot_cannot_edit_user_messages(api: RawApi, chat: int, emu: BotAPIEmulator) -> None:
    message = await emu.send_text(chat, "mine")
    assert await api.error(
        "editMessageText", chat_id=chat, message_id=message["message_id"], text="x"
    ) == (400, "Bad Request: message can't be edited")


async def test_edit_text_of_document_message(api: RawApi, chat: int) -> None:
    sent = await api.ok(
        "sendDocument", chat_id=chat, files={"document": ("a.txt", b"1", "text/plain")}
    )
    assert await api.error(
        "editMessageText", chat_id=chat, message_id=sent["message_id"], text="x"
    ) == (400, "Bad Request: there is no text in the message to edit")


async def test_unknown_chat(api: RawApi) -> None:
    assert await api.error("sendMessage", chat_id=424242, text="hello") == (
        400,
        "Bad Request: chat not found",
    )
    assert await api.error("sendMessage", chat_id="@nobody", text="hello") == (
        400,
        "Bad Request: chat not found",
    )


async def test_chat_exists_once_the_user_wrote(api: RawApi, emu: BotAPIEmulator) -> None:
    emu.private_chat(2002, "Bo")
    assert await api.error("sendMessage", chat_id=2002, text="hi") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    await emu.send_text(2002, "/start")
    await api.ok("sendMessage", chat_id=2002, text="hi")


async def test_blocked_chat(api: RawApi, chat: int, emu: BotAPIEmulator) -> None:
    emu.block_chat(chat)
    assert await api.error("sendMessage", chat_id=chat, text="hi") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    assert await api.error("sendChatAction", chat_id=chat, action="typing") == (
        403,
        Descriptions.BLOCKED,
    )
    # The bot hears about it, as on Telegram.
    assert emu.updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    emu.unblock_chat(chat)
    await api.ok("sendMessage", chat_id=chat, text="hi again")


async def test_reply_to_missing_message(api: RawApi, chat: int) -> None:
    assert await api.error(
        "sendMessage", chat_id=chat, text="x", reply_parameters={"message_id": 77}
    ) == (400, "Bad Request: message to be replied not found")
    result = await api.ok(
        "sendMessage",
        chat_id=chat,
        text="x",
        reply_parameters={"message_id": 77, "allow_sending_without_reply": True},
    )
    assert "reply_to_message" not in result


async def test_delete_unknown_message(api: RawApi, chat: int) -> None:
    assert await api.error("deleteMessage", chat_id=chat, message_id=5) == (
        400,
        "Bad Request: message to delete not found",
    )


async def test_answer_unknown_callback_query(api: RawApi) -> None:
    assert await api.error("answerCallbackQuery", callback_query_id="nope") == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )


async def test_left_group(api: RawApi, emu: BotAPIEmulator) -> None:
    emu.group_chat(-5001, "Peers", members=[1001])
    assert await api.ok("leaveChat", chat_id=-5001) is True
    assert await api.error("sendMessage", chat_id=-5001, text="hi") == (
        403,
        "Forbidden: bot is not a member of the group chat",
    )
    await emu.send_text(-5001, "/start", from_user=1001)
    assert emu.pending_updates == 0  # a bot that left hears nothing
