"""A real ``telegram.ext.Application`` talking to the emulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from reflect_bot.emulator import BotAPIEmulator

from ._support import TOKEN

App = Application[Any, Any, Any, Any, Any, Any]  # with ApplicationBuilder's default types


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Get my notes", callback_data="notes")]])
    await update.effective_message.reply_text(
        "<b>Welcome</b>, let's reflect.", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer("Preparing…")
    await query.edit_message_text("Here they are:")
    await context.bot.send_document(
        query.message.chat.id, b"# Notes\n- rupture\n- repair\n", filename="notes.md"
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(f"You said: {update.effective_message.text}")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    received = await (await message.document.get_file()).download_as_bytearray()
    await message.reply_text(f"Got {len(received)} bytes")


def build(emu: BotAPIEmulator) -> App:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


@pytest.fixture
async def polling_app(emu: BotAPIEmulator) -> AsyncIterator[App]:
    app = build(emu)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_echo_button_and_document(
    polling_app: App,
    emu: BotAPIEmulator,
) -> None:
    emu.private_chat(1001, "Ada")
    await emu.send_text(1001, "/start")
    welcome = await emu.wait_for_bot_message(1001)
    assert welcome.text == "Welcome, let's reflect."
    assert welcome.html == "<b>Welcome</b>, let's reflect."
    assert welcome.button_texts == ["Get my notes"]

    query_id = await emu.press_button(1001, welcome.message_id, "notes")
    assert (await emu.wait_for_callback_answer(query_id)).text == "Preparing…"
    edited = await emu.wait_for_edit(1001, welcome.message_id)
    assert edited.text == "Here they are:" and edited.buttons == []
    document = await emu.wait_for_bot_message(1001)
    assert document.document is not None
    assert document.document.file_name == "notes.md"
    assert document.document.data == b"# Notes\n- rupture\n- repair\n"

    await emu.send_text(1001, "I felt stuck today")
    assert (await emu.wait_for_bot_message(1001)).text == "You said: I felt stuck today"

    await emu.send_document(1001, b"x" * 1234, "session.txt")
    assert (await emu.wait_for_bot_message(1001)).text == "Got 1234 bytes"

    await emu.wait_for_updates_consumed()
    assert emu.request_counts["getMe"] == 1
    assert emu.api_errors == []


async def test_polling_survives_server_errors(
    polling_app: App,
    emu: BotAPIEmulator,
) -> None:
    emu.fail_next("getUpdates", 502)  # PTB backs off 1 s after a network error
    await emu.send_text(1001, "still there?")
    reply = await emu.wait_for_bot_message(1001, timeout=5)
    assert reply.text == "You said: still there?"
    assert [e.status for e in emu.api_errors] == [502]
