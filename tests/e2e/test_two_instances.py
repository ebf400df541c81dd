"""Two bot instances on one PostgreSQL database, each handed updates as a webhook server
behind a round-robin proxy would hand them: the same clinician's answers arriving at both
at once are stored once each, at consecutive steps, none skipped or repeated, because each
person's updates take turns on a lock in the database (not in either process's memory).

Instance A is the harness's bot (it polls until the clinician's check-in is open); instance
B is a second Application on the same database. Then A stops polling and both are given
updates directly, as `reflect_bot.webhook` does with what Telegram posts to it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from telegram import Update

from reflect_bot.app import build_application, start_application, stop_application
from reflect_bot.catalog import Role
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import Answer, Reflection
from tests.e2e.harness import USER, Harness, running_bot


def _update(emulator: Any, message: dict[str, Any]) -> dict[str, Any]:
    """The raw update that carries `message` (as Telegram would post it to a webhook)."""
    return next(
        u
        for u in emulator.updates
        if u.get("message", {}).get("message_id") == message["message_id"]
    )


async def _deliver(raw: dict[str, Any], app: Any) -> None:
    await app.update_queue.put(Update.de_json(raw, app.bot))


async def _stored(harness: Harness) -> tuple[list[tuple[str, int | None]], str | None]:
    """The open check-in's answers (step, rating) in the order stored, and its current step."""
    async with transaction(harness.services.sessions) as session:
        reflection = (
            (await session.execute(select(Reflection).order_by(col(Reflection.id).desc())))
            .scalars()
            .first()
        )
        assert reflection is not None
        answers = (
            await session.execute(
                select(col(Answer.step_id), col(Answer.rating))
                .where(col(Answer.reflection_id) == reflection.id)
                .order_by(col(Answer.id))
            )
        ).all()
    return [(step, rating) for step, rating in answers], reflection.current_step


async def test_one_clinicians_answers_at_both_instances_at_once_are_each_stored_once(
    migrated_postgres_url: str, tmp_path: Path, encryption_key: str
) -> None:
    """Two answers at once, one to each instance, and one answer delivered to both: every
    answer is stored exactly once, each at the step after the one before, and the check-in
    ends up exactly as many steps on."""
    async with running_bot(
        database_url=migrated_postgres_url, data_dir=tmp_path, key=encryption_key
    ) as a:
        program = a.services.catalog.program_for(Role.CHECKIN)
        await a.onboard()
        await a.say("/checkin")
        await a.expect(program.steps[0].question)
        assert a.app.updater is not None
        await a.app.updater.stop()  # from here on, updates are handed in, as by a webhook

        b = build_application(a.settings, clock=a.clock, polling=False)  # instance B
        await start_application(b)
        try:
            emulator = a.emulator
            # The check-in opens with ratings (bond, goals, tasks, overall), so a typed
            # number answers whichever of them is current.
            first = await emulator.send_text(USER, "2")
            second = await emulator.send_text(USER, "3")
            await asyncio.gather(
                _deliver(_update(emulator, first), a.app), _deliver(_update(emulator, second), b)
            )
            for _ in range(2):
                await a.expect()
            # One more answer, delivered to both instances (a proxy's retry): stored once.
            last = _update(emulator, await emulator.send_text(USER, "5"))
            await asyncio.gather(_deliver(last, a.app), _deliver(last, b))
            await a.expect()
            await asyncio.sleep(0.5)  # time for a second reply, if one were (wrongly) sent

            answers, current = await _stored(a)
            assert [step for step, _ in answers] == [s.id for s in program.steps[:3]], (
                "each answer at the step after the one before, none skipped or repeated"
            )
            assert sorted(r or 0 for _, r in answers[:2]) == [2, 3], "both stored, once each"
            assert answers[2][1] == 5
            assert current == program.steps[3].id
            asked = emulator.bot_messages(USER)
            assert sum(program.steps[3].question in (m.text or "") for m in asked) == 1, (
                "the question after the retried answer was asked once"
            )
        finally:
            await stop_application(b)
