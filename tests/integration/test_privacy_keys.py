"""Key rotation moves every encrypted value to the new key, survives an interruption, and
`keys check` names the rows no configured key can read, without showing what they hold."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.cli import main
from reflect_bot.db import keyring
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import (
    Answer,
    AnswerRevision,
    Clinician,
    CpdActivity,
    GoalCheckIn,
    LearningGoal,
    Reflection,
    SharedReflection,
    SupervisorComment,
    SupervisorLink,
)
from reflect_bot.db.types import set_keys
from tests.integration.privacy_world import add_clinician

MARKER = "KEYMARK-2207"


class Interrupted(Exception):
    """Stands in for a crash between two batches."""


async def _read_everything(sessions: async_sessionmaker[AsyncSession]) -> list[str | None]:
    """Every encrypted value, decrypted through the models with the installed key ring."""
    async with transaction(sessions) as session:
        values: list[str | None] = []
        for clinician in (await session.execute(select(Clinician))).scalars():
            values.append(clinician.display_name)
        for answer in (await session.execute(select(Answer).order_by(col(Answer.id)))).scalars():
            values += [answer.question, answer.text, answer.choice_label]
        for revision in (await session.execute(select(AnswerRevision))).scalars():
            values.append(revision.text)
        for activity in (await session.execute(select(CpdActivity))).scalars():
            values.append(activity.title)
        for goal in (await session.execute(select(LearningGoal))).scalars():
            values.append(goal.text)
        for check_in in (await session.execute(select(GoalCheckIn))).scalars():
            values.append(check_in.text)
        for comment in (await session.execute(select(SupervisorComment))).scalars():
            values.append(comment.text)
    return values


@pytest.fixture
def key_a() -> str:
    return Fernet.generate_key().decode("ascii")


@pytest.fixture
def key_b() -> str:
    return Fernet.generate_key().decode("ascii")


def _ring(*keys: str) -> list[Fernet]:
    """Keys as `reflect-bot keys rotate/check` hands them to the key ring walk."""
    return [Fernet(key) for key in keys]


async def _world_under(sessions: async_sessionmaker[AsyncSession], key: str) -> list[str | None]:
    set_keys([key])
    async with transaction(sessions) as session:
        await add_clinician(session, user=601, marker=MARKER, reflections=3)
        await add_clinician(session, user=602, marker=MARKER, reflections=2)
        await _goal_and_comment(session)
    return await _read_everything(sessions)


async def _goal_and_comment(session: AsyncSession) -> None:
    """A learning goal with a check-in, and a supervisor's comment on a shared reflection."""
    clinician = (await session.execute(select(Clinician).limit(1))).scalar_one()
    reflection = (
        (
            await session.execute(
                select(Reflection).where(col(Reflection.clinician_id) == clinician.id)
            )
        )
        .scalars()
        .first()
    )
    assert clinician.id is not None and reflection is not None and reflection.id is not None
    now = clinician.created_at
    goal = LearningGoal(
        clinician_id=clinician.id,
        program_title="Check-in",
        text=f"{MARKER} goal",
        created_at=now,
        updated_at=now,
    )
    link = SupervisorLink(
        clinician_id=clinician.id, invite_expires_at=now, status="active", created_at=now
    )
    session.add_all([goal, link])
    await session.flush()
    assert goal.id is not None and link.id is not None
    shared = SharedReflection(
        link_id=link.id, reflection_id=reflection.id, message_ids="9", sent_at=now
    )
    session.add_all(
        [
            GoalCheckIn(
                goal_id=goal.id,
                asked_on=now.date(),
                tried=True,
                text=f"{MARKER} tried",
                created_at=now,
            ),
            shared,
        ]
    )
    await session.flush()
    assert shared.id is not None
    session.add(SupervisorComment(shared_id=shared.id, text=f"{MARKER} comment", created_at=now))


async def test_rotation_moves_everything_to_the_new_key(
    sessions: async_sessionmaker[AsyncSession], key_a: str, key_b: str
) -> None:
    written = await _world_under(sessions, key_a)
    reports = await keyring.rotate(sessions, keys=_ring(key_b, key_a), batch_size=2)
    values = sum(r.values for r in reports)
    assert values == sum(v is not None for v in written)
    assert sum(r.rotated for r in reports) == values
    assert {r.name for r in reports} == {
        "clinician.display_name",
        "answer.question",
        "answer.text",
        "answer.choice_label",
        "answer_revision.text",
        "cpd_activity.title",
        "key_canary.value",
        # Learning goals, their check-ins and a supervisor's comments: clinicians' words too.
        "learning_goal.text",
        "goal_check_in.text",
        "supervisor_comment.text",
        # A voice note's audio and transcript, held until the clinician decides.
        "transcription_job.audio",
        "transcription_job.transcript",
    }

    set_keys([key_b])  # the old key is gone
    assert await _read_everything(sessions) == written
    assert all(
        r.undecryptable == 0 and r.stale == 0
        for r in await keyring.check(sessions, keys=_ring(key_b))
    )
    # A second run finds nothing left to do.
    again = await keyring.rotate(sessions, keys=_ring(key_b, key_a))
    assert sum(r.rotated for r in again) == 0


async def test_an_interrupted_rotation_is_finished_by_running_it_again(
    sessions: async_sessionmaker[AsyncSession], key_a: str, key_b: str
) -> None:
    written = await _world_under(sessions, key_a)
    batches: list[str] = []

    def crash_after_first_batch(table: str, done: int) -> None:
        batches.append(table)
        raise Interrupted

    with pytest.raises(Interrupted):
        await keyring.rotate(
            sessions, keys=_ring(key_b, key_a), batch_size=2, progress=crash_after_first_batch
        )
    assert len(batches) == 1
    halfway = await keyring.check(sessions, keys=_ring(key_b, key_a))
    moved = sum(r.values - r.stale for r in halfway)
    assert 0 < moved < sum(r.values for r in halfway), "one batch was committed, not more"

    finished = await keyring.rotate(sessions, keys=_ring(key_b, key_a), batch_size=2)
    assert sum(r.rotated for r in finished) == sum(r.stale for r in halfway)
    set_keys([key_b])
    assert await _read_everything(sessions) == written


async def test_check_reports_rows_under_an_unknown_key(
    sessions: async_sessionmaker[AsyncSession], key_a: str, key_b: str
) -> None:
    await _world_under(sessions, key_a)
    async with transaction(sessions) as session:
        ids = (
            await session.execute(select(col(Answer.id)).where(col(Answer.kind) == "text"))
        ).scalars()
        stranger_ids = sorted(i for i in ids if i is not None)[:2]
    # Two answers' text as if written under a key nobody kept.
    lost = Fernet(Fernet.generate_key())
    async with transaction(sessions) as session:
        for answer_id in stranger_ids:
            token = lost.encrypt(b"under a lost key").decode("ascii")
            await session.execute(
                text("UPDATE answer SET text = :t WHERE id = :i"), {"t": token, "i": answer_id}
            )

    reports = {r.name: r for r in await keyring.check(sessions, keys=_ring(key_b, key_a))}
    assert reports["answer.text"].undecryptable == 2
    assert reports["answer.text"].undecryptable_ids == stranger_ids
    assert all(r.undecryptable == 0 for name, r in reports.items() if name != "answer.text")
    assert reports["answer.question"].stale == reports["answer.question"].values  # under A

    rotated = {r.name: r for r in await keyring.rotate(sessions, keys=_ring(key_b, key_a))}
    assert rotated["answer.text"].undecryptable == 2, "unreadable rows are left as they are"


async def test_keys_cli_rotates_and_checks_without_printing_contents(
    sessions: async_sessionmaker[AsyncSession],
    migrated_url: str,
    tmp_path: Path,
    key_a: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key_a_text = Fernet.generate_key().decode("ascii")
    key_b_text = Fernet.generate_key().decode("ascii")
    await _world_under(sessions, key_a_text)
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.setenv("REFLECT_DATABASE_URL", migrated_url)
    monkeypatch.setenv("REFLECT_DATA_DIR", str(tmp_path))

    monkeypatch.setenv("REFLECT_ENCRYPTION_KEYS", key_b_text)
    assert await _cli(["keys", "check"]) == 1
    out = capsys.readouterr()
    assert "answer.text" in out.out and "CANNOT BE DECRYPTED" in out.out

    monkeypatch.setenv("REFLECT_ENCRYPTION_KEYS", f"{key_b_text},{key_a_text}")
    assert await _cli(["keys", "check"]) == 0
    assert "still under an older key" in capsys.readouterr().out
    assert await _cli(["keys", "rotate", "--batch-size", "3"]) == 0
    rotated = capsys.readouterr()
    assert "re-encrypted" in rotated.out

    monkeypatch.setenv("REFLECT_ENCRYPTION_KEYS", key_b_text)
    assert await _cli(["keys", "check"]) == 0
    checked = capsys.readouterr()
    assert "Every stored value can be decrypted" in checked.out
    for output in (out, rotated, checked):
        assert MARKER not in output.out + output.err


async def _cli(argv: list[str]) -> int:
    # The CLI runs its own event loop, so it runs in a thread here.
    import asyncio

    return await asyncio.to_thread(main, argv)
