"""A local Telegram Bot API emulator for running and testing the bot without Telegram.

Point python-telegram-bot at it and play the users from the test::

    async with BotAPIEmulator(token="123456:TEST") as emu:      # port 0: a free port
        app = (
            ApplicationBuilder().token(emu.token)
            .base_url(emu.base_url).base_file_url(emu.base_file_url).build()
        )
        ...start the app polling...
        await emu.send_text(1001, "/start")                     # chat 1001 = user 1001
        welcome = await emu.wait_for_bot_message(1001)          # MessageRecord
        assert welcome.html == "<b>Welcome</b>"
        query_id = await emu.click(1001, "Get my notes")        # or press_button(...)
        await emu.wait_for_callback_answer(query_id)
        notes = await emu.wait_for_bot_message(1001)
        assert notes.document is not None and notes.document.data.startswith(b"#")

Waits are cursor based (see ``_user``): they find bot messages sent after the chat's latest
user action even if the bot answered before the wait started, and on timeout they raise an
AssertionError listing the chat's messages and the API errors the bot received.

Faults and limits: ``fail_next``, ``delay``, ``drop_connection_next``, ``block_chat``,
``rate_limit``, ``per_chat_rate_limit``. The same user side is served as JSON under
``/_emulator/`` (see ``_control``). Standalone: ``python -m reflect_bot.emulator --port 8081``.

Deliberate differences from Telegram: a bare ``&`` in HTML is refused (``strict_html``;
Telegram passes it through); Markdown parse modes are accepted but not parsed; an inline
button with two actions is refused; text is not trimmed of surrounding whitespace; webhook
delivery is sequential; no inline mode, no fetching of files by URL.
"""

from ._emulator import BotAPIEmulator
from ._errors import ApiError, Descriptions
from ._html import HTMLParseError, ParsedText, entities_to_html, parse_html
from ._images import TINY_PNG
from ._models import (
    ApiErrorRecord,
    CallbackAnswer,
    Chat,
    Event,
    FileRecord,
    MessageRecord,
    RequestRecord,
    User,
)
from ._text import utf16_len
from ._user import MessagePredicate
from ._validate import MAX_CALLBACK_DATA_BYTES, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH

__all__ = [
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "TINY_PNG",
    "ApiError",
    "ApiErrorRecord",
    "BotAPIEmulator",
    "CallbackAnswer",
    "Chat",
    "Descriptions",
    "Event",
    "FileRecord",
    "HTMLParseError",
    "MessagePredicate",
    "MessageRecord",
    "ParsedText",
    "RequestRecord",
    "User",
    "entities_to_html",
    "parse_html",
    "utf16_len",
]
