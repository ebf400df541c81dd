"""Two `reflect-bot webhook` processes behind a real haproxy (round robin) on one PostgreSQL:
the operator's set-up of docs/deploy.md. Telegram (the emulator) posts every update to the
proxy; one instance is killed with SIGKILL during a burst of answers; the proxy's retries
and Telegram's redelivery reach the other, every acknowledged answer is stored once, and no
clinician is asked the same question twice. Both instances' schedulers send prompts and
weekly digests falling due at once, each once; one is killed while sending digests, and the
other sends what it held (docs/delivery.md's at-least-once).

Skipped when haproxy is not installed, unless REFLECT_REQUIRE_HAPROXY=1 (CI installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from reflect_bot.catalog import Role, load_catalog
from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.db.models import Answer, Clinician, Delivery, Digest, Reflection
from reflect_bot.domain.digest import ALLIANCE_STEPS, IsoWeek, digest_week_for
from reflect_bot.emulator import BotAPIEmulator, MessageRecord
from tests import factories

pytestmark = pytest.mark.slow

REQUIRE_HAPROXY = os.environ.get("REFLECT_REQUIRE_HAPROXY") == "1"
SECRET = "proxy-secret-token-of-thirty-two-characters"
PATH = "telegram"
CLINICIANS = 12
FIRST_USER = 70_001
ROOT = Path(__file__).resolve().parents[2]

# The operator's configuration (docs/deploy.md), with the test's ports filled in.
HAPROXY_CONFIG = """\
global
    stats socket {stats}

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # An instance that dies mid-request: the request goes to the other one.
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
    option http-buffer-request

frontend telegram
    bind 127.0.0.1:{proxy}
    default_backend reflect_bot

backend reflect_bot
    balance roundrobin
    server one 127.0.0.1:{one} check inter 200ms fall 1 rise 2
    server two 127.0.0.1:{two} check inter 200ms fall 1 rise 2
"""


def _haproxy() -> str:
    found = shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None
    )
    if found is None:
        if REQUIRE_HAPROXY:
            pytest.fail("haproxy is required here (REFLECT_REQUIRE_HAPROXY=1): not installed")
        pytest.skip("haproxy is not installed (apt-get install haproxy); CI requires it")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def _process(
    args: list[str], env: dict[str, str], log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    with log.open("ab") as output:
        child = await asyncio.create_subprocess_exec(
            *args, env=env, stdout=output, stderr=output, cwd=log.parent
        )
    try:
        yield child
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


async def _servers(socket_path: Path) -> dict[str, dict[str, str]]:
    """The proxy's figures for each instance, from haproxy's stats socket."""
    reader, writer = await asyncio.open_unix_connection(str(socket_path))
    writer.write(b"show stat\n")
    await writer.drain()
    csv = (await reader.read()).decode()
    writer.close()
    header, *rows = csv.lstrip("# ").splitlines()
    names = header.split(",")
    servers = {}
    for row in rows:
        fields = dict(zip(names, row.split(","), strict=False))
        if fields.get("pxname") == "reflect_bot" and fields.get("svname") in ("one", "two"):
            servers[fields["svname"]] = fields
    return servers


async def _requests_per_server(socket_path: Path) -> dict[str, int]:
    """Requests each instance has been sent so far."""
    servers = await _servers(socket_path)
    return {name: int(fields["stot"] or 0) for name, fields in servers.items()}


async def _both_up(socket_path: Path) -> None:
    """Until the proxy's own checks reach both instances (listening) and count them up."""
    states: dict[str, tuple[str, str]] = {}
    try:
        async with asyncio.timeout(30):
            while len(states) != 2 or set(states.values()) != {("UP", "L4OK")}:
                await asyncio.sleep(0.05)
                servers = await _servers(socket_path)
                states = {name: (f["status"], f["check_status"]) for name, f in servers.items()}
    except TimeoutError:
        raise AssertionError(f"the proxy never counted both instances up: {states}") from None


async def _onboard(emulator: BotAPIEmulator, user: int, first_question: str) -> None:
    await emulator.send_text(user, "/start")
    notice = await emulator.wait_for_bot_message(user, timeout=30)
    await emulator.click(user, notice.button_texts[0])
    await emulator.wait_for_bot_message(
        user, predicate=lambda m: "time zone" in (m.text or ""), timeout=30
    )
    await emulator.send_text(user, "Europe/London")
    await emulator.wait_for_bot_message(
        user, predicate=lambda m: "all set" in (m.text or ""), timeout=30
    )
    await emulator.send_text(user, "/checkin")
    await emulator.wait_for_bot_message(
        user, predicate=lambda m: first_question in (m.text or ""), timeout=30
    )


@dataclass
class Deployment:
    emulator: BotAPIEmulator
    instances: list[asyncio.subprocess.Process]
    stats: Path  # haproxy's stats socket


@asynccontextmanager
async def deployment(
    postgres_url: str, tmp_path: Path, encryption_key: str, **settings: str
) -> AsyncIterator[Deployment]:
    """haproxy and two `reflect-bot webhook` processes on one migrated database, both
    listening and registered; all stopped (SIGKILL) on exit."""
    haproxy = _haproxy()
    await asyncio.to_thread(upgrade_head, postgres_url)
    proxy, one, two = _free_port(), _free_port(), _free_port()
    config = tmp_path / "haproxy.cfg"
    stats = tmp_path / "haproxy.sock"
    config.write_text(HAPROXY_CONFIG.format(proxy=proxy, one=one, two=two, stats=stats))
    async with AsyncExitStack() as stack:
        emulator = await stack.enter_async_context(BotAPIEmulator(token="424242:PROXY"))
        await stack.enter_async_context(
            _process([haproxy, "-db", "-f", str(config)], dict(os.environ), tmp_path / "proxy.log")
        )
        instances = []
        for name, port in (("one", one), ("two", two)):
            folder = tmp_path / name
            folder.mkdir()
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("REFLECT_")},
                "REFLECT_BOT_TOKEN": emulator.token,
                "REFLECT_TELEGRAM_BASE_URL": emulator.base_url,
                "REFLECT_TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
                "REFLECT_DATABASE_URL": postgres_url,
                "REFLECT_DATA_DIR": str(folder),
                "REFLECT_ENCRYPTION_KEYS": encryption_key,
                "REFLECT_WEBHOOK_URL": f"http://127.0.0.1:{proxy}/{PATH}",
                "REFLECT_WEBHOOK_SECRET_TOKEN": SECRET,
                "REFLECT_WEBHOOK_LISTEN": "127.0.0.1",
                "REFLECT_WEBHOOK_PORT": str(port),
                "REFLECT_WEBHOOK_PATH": PATH,
                **{f"REFLECT_{key.upper()}": value for key, value in settings.items()},
            }
            instances.append(
                await stack.enter_async_context(
                    _process(
                        [sys.executable, "-m", "reflect_bot", "webhook"], env, folder / "bot.log"
                    )
                )
            )
        await emulator.wait_until(
            lambda: emulator.webhook.url is not None, timeout=60, description="setWebhook"
        )
        await _both_up(stats)  # both listening, the proxy's checks passed
        yield Deployment(emulator, instances, stats)


async def test_two_instances_behind_haproxy_survive_one_killed_during_a_burst(
    postgres_url: str, tmp_path: Path, encryption_key: str
) -> None:
    program = load_catalog(ROOT / "prompts").program_for(Role.CHECKIN)
    first, second = program.steps[0], program.steps[1]
    async with deployment(postgres_url, tmp_path, encryption_key) as deployed:
        emulator, instances, stats = deployed.emulator, deployed.instances, deployed.stats
        users = [FIRST_USER + n for n in range(CLINICIANS)]
        for user in users:
            await _onboard(emulator, user, first.question)

        # The burst: everyone answers the first question at once; one instance is killed
        # while the answers are being delivered.
        before = emulator.webhook.delivered
        for user in users:
            await emulator.send_text(user, "4")
        await emulator.wait_until(
            lambda: emulator.webhook.delivered >= before + 3, timeout=30, description="burst"
        )
        served = await _requests_per_server(stats)
        assert served["one"] > 0 and served["two"] > 0, f"round robin: {served}"
        instances[0].send_signal(signal.SIGKILL)
        for user in users:
            await emulator.wait_for_bot_message(
                user, predicate=lambda m: second.question in (m.text or ""), timeout=60
            )
        await asyncio.sleep(1.0)  # time for any second copy of a question, were one sent

    for user in users:
        asked = [m for m in emulator.bot_messages(user) if second.question in (m.text or "")]
        assert len(asked) == 1, f"clinician {user} was asked the second question once"
    engine = create_engine(postgres_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            rows = (
                await session.execute(
                    select(col(Clinician.telegram_user_id), func.count(col(Answer.id)))
                    .join(Reflection, col(Reflection.clinician_id) == col(Clinician.id))
                    .join(Answer, col(Answer.reflection_id) == col(Reflection.id))
                    .where(col(Answer.step_id) == first.id)
                    .group_by(col(Clinician.telegram_user_id))
                )
            ).all()
    finally:
        await engine.dispose()
    assert dict(rows) == dict.fromkeys(users, 1), "every answer stored once"


# Digests of the last group: fewer than a claim's batch (10 at 10 sends a second), so the
# instance that claims them is still sending when it is killed.
KILLED_GROUP = 8
DIGEST_TITLE = "Your week in reflection"
# After the last "sent" mark: more ticks of each instance, in which a second copy would come.
SETTLE = 0.6


async def test_two_full_instances_send_each_due_prompt_and_digest_once(
    postgres_url: str, tmp_path: Path, encryption_key: str
) -> None:
    """Both instances run the scheduler (ticking fast) while prompts and weekly digests fall
    due for many clinicians at once: each is sent by one of them, once (a digest: its text
    and its alliance chart).

    Then one instance is killed with SIGKILL while it sends more digests. None is lost. Only
    a digest it had claimed and not recorded as sent may come twice, and then only as far as
    Telegram had accepted it before the kill (the documented at-least-once case,
    docs/delivery.md): the survivor sends it again, whole, once.
    """
    program = load_catalog(ROOT / "prompts").program_for(Role.CHECKIN)
    prompted = [FIRST_USER + n for n in range(CLINICIANS)]
    digested = [FIRST_USER + CLINICIANS + n for n in range(CLINICIANS)]
    killed = [FIRST_USER + 2 * CLINICIANS + n for n in range(KILLED_GROUP)]
    async with deployment(
        postgres_url, tmp_path, encryption_key, tick_seconds="0.2", send_rate_per_second="10"
    ) as deployed:
        emulator = deployed.emulator
        # Due this minute, as the schedules say (UTC: the clinicians are in a UTC zone).
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        week = digest_week_for(due.date())

        async def two_rated_weeks(session: AsyncSession, clinician_id: int) -> None:
            await _check_ins(session, clinician_id, week)

        engine = create_engine(postgres_url)
        try:
            sessions = create_sessionmaker(engine)
            async with transaction(sessions) as session:
                prompts = await _fall_due(
                    session, emulator, prompted, due=due, kind="prompt", program_id=program.id
                )
                digests = await _fall_due(
                    session, emulator, digested, due=due, kind="digest", also=two_rated_weeks
                )
            await _until_sent(sessions, [*prompts.values(), *digests.values()])
            await asyncio.sleep(SETTLE)
            for user in prompted:
                assert len(emulator.bot_messages(user)) == 1, f"clinician {user} was prompted once"
            for user in digested:
                copies = _digests_in(emulator.bot_messages(user))
                assert len(copies) == 1 and _whole(copies[0]), f"{user}: one digest, {copies}"

            async with transaction(sessions) as session:
                digests |= await _fall_due(
                    session, emulator, killed, due=due, kind="digest", also=two_rated_weeks
                )
            await emulator.wait_until(
                lambda: any(emulator.bot_messages(user) for user in killed),
                timeout=30,
                description="the first digest of the last group",
            )
            holder = await _busiest_worker(sessions, [digests[user] for user in killed])
            victim = next(p for p in deployed.instances if p.pid == _pid_of(holder))
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            await asyncio.sleep(0.2)  # the emulator finishes what the victim had sent
            held = await _claimed(sessions, holder)
            assert held, "the killed instance was sending digests"
            # Their leases would run out five minutes after the claim (delivery/sender.py's
            # LEASE): end them now rather than wait.
            ended = time.monotonic()
            await _end_leases(sessions, holder)
            await _until_sent(sessions, digests.values())
            await asyncio.sleep(SETTLE)
            async with transaction(sessions) as session:
                weeks = (await session.execute(select(Digest))).scalars().all()
        finally:
            await engine.dispose()

    for user in killed:
        messages = emulator.bot_messages(user)
        if digests[user] not in held:  # sent by the survivor, or recorded sent before the kill
            copies = _digests_in(messages)
            assert len(copies) == 1 and _whole(copies[0]), f"{user}: one digest, {copies}"
            continue
        # Sent again by the survivor, once and whole, after whatever part of it Telegram had
        # accepted from the killed instance without that being recorded.
        again = _digests_in([m for m in messages if m.sent_at >= ended])
        assert len(again) == 1 and _whole(again[0]), f"{user}: sent again once, {again}"
        before = [_shown(m) for m in messages if m.sent_at < ended]
        assert before == again[0][: len(before)], f"{user}: only the unrecorded part twice"
    # Each clinician's week was claimed once (UNIQUE per clinician and week), by the delivery
    # that sent it.
    assert sorted((w.delivery_id or 0, w.week_start) for w in weeks) == sorted(
        (delivery_id, week.start) for delivery_id in digests.values()
    )


async def _fall_due(
    session: AsyncSession,
    emulator: BotAPIEmulator,
    users: Sequence[int],
    *,
    due: datetime,
    kind: str,
    program_id: str | None = None,
    also: Callable[[AsyncSession, int], Awaitable[None]] | None = None,
) -> dict[int, int]:
    """Clinicians in UTC, each with a `kind` schedule and its delivery due at `due` (as the
    planner would have planned it), and whatever `also` adds for each. Returns each Telegram
    user's delivery id."""
    planned = {}
    for user in users:
        emulator.private_chat(user, started=True)
        person = await factories.add(session, factories.clinician(user=user, zone="UTC"))
        assert person.id is not None
        plan = await factories.add(
            session,
            factories.schedule(
                clinician_id=person.id, kind=kind, local_time=due.time(), created_at=due
            ),
        )
        assert plan.id is not None
        row = factories.delivery(
            clinician_id=person.id, schedule_id=plan.id, kind=kind, due_at=due, created_at=due
        )
        row.program_id = program_id
        await factories.add(session, row)
        assert row.id is not None
        if also is not None:
            await also(session, person.id)
        planned[user] = row.id
    return planned


async def _check_ins(session: AsyncSession, clinician_id: int, week: IsoWeek) -> None:
    """Rated check-ins completed in the digest's week and the week before: the digest has a
    week to tell and ends with the alliance chart (ratings in two weeks)."""
    for weeks_back in (0, 1):
        # Monday noon: past on any day a digest is sent (it looks back on its own week from
        # Friday, on the week before until Thursday).
        finished = datetime.combine(week.start, dtime(12), tzinfo=UTC) - timedelta(weeks=weeks_back)
        done = await factories.add(
            session,
            factories.reflection(
                clinician_id=clinician_id,
                status="completed",
                started_at=finished - timedelta(minutes=5),
                finished_at=finished,
                seconds_spent=300,
            ),
        )
        assert done.id is not None
        for position, step in enumerate(ALLIANCE_STEPS, start=1):
            session.add(
                factories.answer(
                    reflection_id=done.id,
                    step_id=step,
                    position=position,
                    rating=4,
                    answered_at=finished,
                )
            )


def _shown(message: MessageRecord) -> str:
    return f"photo: {message.caption}" if message.photo is not None else message.text or ""


def _digests_in(messages: Sequence[MessageRecord]) -> list[list[str]]:
    """The digests in a chat, as shown: each starts with its title."""
    copies: list[list[str]] = []
    for message in messages:
        shown = _shown(message)
        if DIGEST_TITLE in shown:
            copies.append([])
        assert copies, f"a message outside any digest: {shown[:80]!r}"
        copies[-1].append(shown)
    return copies


def _whole(digest: Sequence[str]) -> bool:
    """The digest's text, then its one chart."""
    return len(digest) >= 2 and [s.startswith("photo: ") for s in digest].count(True) == 1


async def _until_sent(sessions: async_sessionmaker[AsyncSession], ids: Iterable[int]) -> None:
    """Waits until every one of these deliveries is recorded as sent: nothing sends it after
    that (a sent row is never claimed again)."""
    wanted = set(ids)
    statuses: dict[int, str] = {}
    try:
        async with asyncio.timeout(30):
            while True:
                async with transaction(sessions) as session:
                    found = await session.execute(
                        select(col(Delivery.id), col(Delivery.status)).where(
                            col(Delivery.id).in_(wanted)
                        )
                    )
                    statuses = {row.id: row.status for row in found if row.id is not None}
                if all(status == "sent" for status in statuses.values()):
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not all sent: {statuses}") from None


async def _busiest_worker(sessions: async_sessionmaker[AsyncSession], ids: list[int]) -> str:
    """The worker holding the most of these deliveries' claims."""
    async with transaction(sessions) as session:
        held = (
            await session.execute(
                select(col(Delivery.claimed_by)).where(
                    col(Delivery.id).in_(ids), col(Delivery.status) == "claimed"
                )
            )
        ).scalars()
        workers = Counter(worker for worker in held if worker is not None)
    assert workers, "no digest of the second group was claimed and unsent"
    return workers.most_common(1)[0][0]


def _pid_of(worker: str) -> int:
    """A claim's worker is named host:pid:random (delivery/sender.py's worker_name)."""
    return int(worker.split(":")[-2])


async def _claimed(sessions: async_sessionmaker[AsyncSession], worker: str) -> set[int]:
    async with transaction(sessions) as session:
        held = await session.execute(
            select(col(Delivery.id)).where(
                col(Delivery.claimed_by) == worker, col(Delivery.status) == "claimed"
            )
        )
        return {delivery_id for delivery_id in held.scalars() if delivery_id is not None}


async def _end_leases(sessions: async_sessionmaker[AsyncSession], worker: str) -> None:
    async with transaction(sessions) as session:
        await session.execute(
            update(Delivery)
            .where(col(Delivery.claimed_by) == worker, col(Delivery.status) == "claimed")
            .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
