"""The remaining methods, called through python-telegram-bot so its parsing is exercised."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.constants import ChatAction

from reflect_bot.emulator import BotAPIEmulator


async def test_chats_commands_actions_and_webhook_info(bot: Bot, emu: BotAPIEmulator) -> None:
    emu.private_chat(1001, "Ada", last_name="L", username="ada", started=True)
    emu.group_chat(-5001, "Peer supervision", members=[1001], supergroup=True)

    private = await bot.get_chat(1001)
    assert (private.type, private.first_name, private.username) == ("private", "Ada", "ada")
    group = await bot.get_chat(-5001)
    assert (group.type, group.title) == ("supergroup", "Peer supervision")
    by_name = await bot.get_chat("@ada")
    assert by_name.id == 1001

    commands = [BotCommand("start", "Begin a reflection"), BotCommand("notes", "Get notes")]
    assert await bot.set_my_commands(commands) is True
    assert await bot.get_my_commands() == tuple(commands)
    await bot.set_my_commands(commands[:1], scope=BotCommandScopeAllPrivateChats())
    assert emu.commands_for({"type": "all_private_chats"}) == [
        {"command": "start", "description": "Begin a reflection"}
    ]
    assert await bot.delete_my_commands() is True
    assert emu.commands == []

    assert await bot.send_chat_action(1001, ChatAction.UPLOAD_DOCUMENT) is True
    assert emu.chat_actions(1001) == ["upload_document"]

    message = await bot.send_message(-5001, "Hello group")
    assert message.chat.title == "Peer supervision"
    assert await bot.delete_message(-5001, message.message_id) is True
    assert emu.bot_messages(-5001) == []

    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await bot.leave_chat(-5001) is True
    assert await bot.log_out() is True
