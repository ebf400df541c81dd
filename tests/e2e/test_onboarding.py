"""A new clinician meets the bot: privacy notice, consent, time zone, help; groups get nothing."""

from sqlalchemy import func, select
from sqlmodel import SQLModel, col

from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Clinician
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness


async def _clinician(bot: Harness) -> Clinician | None:
    async with transaction(bot.services.sessions) as session:
        result = await session.execute(
            select(Clinician).where(col(Clinician.telegram_user_id) == USER)
        )
        return result.scalar_one_or_none()


async def test_start_consent_timezone_help(bot_on: Harness) -> None:
    bot = bot_on
    await bot.say("/start")
    notice = await bot.expect("Welcome")
    for promise in ("encrypted", "client names", "/forget", "/export"):
        assert promise in notice.text
    _says_what_the_bot_is_not(notice.text)
    assert await _clinician(bot) is None, "nothing is stored before consent"

    await bot.press(notice.button_texts[0], notice)
    await bot.expect("Which time zone")
    await bot.say("Mars/Olympus_Mons")
    hint = await bot.expect("couldn't find a time zone")
    assert "Europe/Berlin" in hint.text
    await bot.say("UTC+2")
    confirmed = await bot.expect("Your time zone is now")
    assert "UTC+02:00" in confirmed.text and "11:00" in confirmed.text  # 09:00 UTC + 2 h
    await bot.expect("You're all set")

    clinician = await _clinician(bot)
    assert clinician is not None and clinician.timezone == "UTC+02:00"
    assert clinician.consented_at == bot.clock.now()

    await bot.say("/timezone")
    buttons = await bot.expect("Which time zone")
    await bot.press("New York", buttons)
    await bot.expect("America/New_York")
    clinician = await _clinician(bot)
    assert clinician is not None and clinician.timezone == "America/New_York"

    await bot.say("/help")
    help_message = await bot.expect("What I can do")
    for name, _ in texts.COMMANDS:
        assert f"/{name}" in help_message.text
    _says_what_the_bot_is_not(help_message.text)


def _says_what_the_bot_is_not(text: str) -> None:
    """Signposting: not supervision, not a record, not for incidents or risk; courts."""
    for words in (
        "not supervision",
        "not a clinical record",
        "incident",
        "risk to a client",
        "follow your service's safeguarding procedure",
        "court",
        "learning, not case detail",
    ):
        assert words in text, words


async def test_command_menu_is_set(bot: Harness) -> None:
    assert [c["command"] for c in bot.emulator.commands] == [name for name, _ in texts.COMMANDS]


async def test_text_before_start_asks_for_start(bot: Harness) -> None:
    await bot.say("hello")
    await bot.expect("send /start first")


async def test_group_chat_gets_one_private_only_reply_and_no_row(bot: Harness) -> None:
    group = bot.emulator.group_chat(chat_id=-5001, title="Team")
    await bot.emulator.send_text(group.id, "/start", from_user=USER)
    reply = await bot.emulator.wait_for_bot_message(group.id, timeout=5)
    assert "only work in private chats" in (reply.text or "")
    await bot.emulator.send_text(group.id, "/help", from_user=USER)

    async with transaction(bot.services.sessions) as session:
        for table in SQLModel.metadata.sorted_tables:
            count = (await session.execute(select(func.count()).select_from(table))).scalar_one()
            assert count == 0, f"{table.name} has rows after a group chat"
    assert len([m for m in bot.emulator.messages(group.id) if m.from_bot]) == 1
