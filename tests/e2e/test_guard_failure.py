"""A guard that fails stops the update: one kind reply, and no later handler runs.

The access guard reads the clinician before anything else. Here the clinician's stored name
has become unreadable (written under a key nobody kept), so reading it raises an error the
database layer knows nothing about: the guard must not fail open and let the handlers run.
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy import text

from reflect_bot.db.engine import transaction
from reflect_bot.ui import texts
from tests.e2e.harness import USER, Harness


async def _name_under_a_lost_key(bot: Harness) -> None:
    lost = Fernet(Fernet.generate_key()).encrypt(b"a name").decode("ascii")
    async with transaction(bot.services.sessions) as session:
        await session.execute(
            text("UPDATE clinician SET display_name = :token WHERE telegram_user_id = :user"),
            {"token": lost, "user": USER},
        )


async def test_an_unexpected_failure_in_the_guard_gets_one_reply_and_stops(
    bot_on: Harness,
) -> None:
    bot = bot_on
    await bot.onboard()
    await _name_under_a_lost_key(bot)
    before = len(bot.emulator.bot_messages(USER))

    await bot.say("/help")
    reply = await bot.expect()
    await bot.emulator.assert_no_bot_message(USER, within=0.6)

    sent = bot.emulator.bot_messages(USER)[before:]
    assert len(sent) == 1, [m.text for m in sent]
    assert reply.text == texts.UPDATE_NOT_HANDLED, "the guard's reply, not the error handler's"
    assert "not been stored" in reply.text and "send it again" in reply.text
