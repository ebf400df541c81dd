"""Documents and photos: uploads, getFile, downloads, and Telegram's file refusals."""

from __future__ import annotations

from telegram import Bot

from reflect_bot.emulator import TINY_PNG, BotAPIEmulator

from ._support import TOKEN, RawApi


async def test_document_round_trip_through_ptb(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    payload = "Reflection notes – ünïcode\n".encode() * 100
    message = await bot.send_document(
        chat,
        payload,
        filename="notes.md",
        caption="<b>Your</b> notes",
        parse_mode="HTML",
        protect_content=True,
    )
    assert message.document is not None
    assert message.document.file_name == "notes.md"
    assert message.document.file_size == len(payload)
    assert message.caption == "Your notes"
    assert message.has_protected_content is True

    [stored] = emu.documents(chat)
    assert stored.data == payload
    assert stored.file_name == "notes.md"
    record = emu.last_bot_message(chat)
    assert record.caption == "Your notes"
    assert record.html == "<b>Your</b> notes"
    assert record.protect_content is True

    telegram_file = await bot.get_file(message.document.file_id)
    assert telegram_file.file_path is not None
    assert telegram_file.file_path.startswith(emu.base_file_url + TOKEN + "/documents/")
    assert bytes(await telegram_file.download_as_bytearray()) == payload


async def test_bot_downloads_a_document_the_user_sent(bot: Bot, emu: BotAPIEmulator) -> None:
    message = await emu.send_document(1001, b"%PDF-1.4 fake", "case.pdf", caption="my case")
    document = message["document"]
    assert document["file_name"] == "case.pdf"
    assert document["mime_type"] == "application/pdf"
    telegram_file = await bot.get_file(document["file_id"])
    assert bytes(await telegram_file.download_as_bytearray()) == b"%PDF-1.4 fake"


async def test_resend_by_file_id(bot: Bot, emu: BotAPIEmulator, chat: int) -> None:
    first = await bot.send_document(chat, b"abc", filename="a.txt")
    assert first.document is not None
    second = await bot.send_document(chat, first.document.file_id)
    assert second.document is not None
    assert second.document.file_id == first.document.file_id
    assert [d.data for d in emu.documents(chat)] == [b"abc", b"abc"]


async def test_photo_upload_and_refusal_of_non_images(api: RawApi, chat: int) -> None:
    result = await api.ok(
        "sendPhoto",
        chat_id=chat,
        caption="a pixel",
        files={"photo": ("p.png", TINY_PNG, "image/png")},
    )
    assert result["photo"][0]["width"] == 1
    assert result["caption"] == "a pixel"
    status, body = await api.call(
        "sendPhoto", chat_id=chat, files={"photo": ("p.png", b"not an image", "image/png")}
    )
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")


async def test_file_refusals(api: RawApi, chat: int, emu: BotAPIEmulator) -> None:
    assert await api.error("sendDocument", chat_id=chat) == (
        400,
        "Bad Request: there is no document in the request",
    )
    assert await api.error("sendDocument", chat_id=chat, document="no-such-id") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    assert await api.error("sendDocument", chat_id=chat, document="https://e.org/a.pdf") == (
        400,
        "Bad Request: failed to get HTTP URL content",
    )
    status, body = await api.call(
        "sendDocument", chat_id=chat, files={"document": ("e.txt", b"", "text/plain")}
    )
    assert (status, body["description"]) == (400, "Bad Request: file must be non-empty")
    assert await api.error("getFile", file_id="nope") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    async with api.session.get(f"{emu.base_file_url}{TOKEN}/documents/missing.txt") as response:
        assert response.status == 404
        assert (await response.json())["description"] == "Not Found"


async def test_attach_uri_references_a_multipart_part(api: RawApi, chat: int) -> None:
    result = await api.ok(
        "sendDocument",
        chat_id=chat,
        document="attach://part1",
        files={"part1": ("x.csv", b"a,b\n", "text/csv")},
    )
    assert result["document"]["file_name"] == "x.csv"
