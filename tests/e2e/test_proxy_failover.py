"""Two `reflect-bot webhook` processes behind a real haproxy (round robin) on one PostgreSQL:
the operator's set-up of docs/deploy.md. Telegram (the emulator) posts every update to the
proxy; one instance is killed with SIGKILL during a burst of answers; the proxy's retries
and Telegram's redelivery reach the other, every acknowledged answer is stored once, and no
clinician is asked the same question twice.

Skipped when haproxy is not installed, unless REFLECT_REQUIRE_HAPROXY=1 (CI installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from reflect_bot.catalog import Role, load_catalog
from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction
from reflect_bot.db.migrations import upgrade_head
from reflect_bot.db.models import Answer, Clinician, Delivery, Reflection
from reflect_bot.emulator import BotAPIEmulator
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


async def test_two_full_instances_send_each_due_prompt_once(
    postgres_url: str, tmp_path: Path, encryption_key: str
) -> None:
    """Both instances run the scheduler (ticking fast): every prompt that falls due is sent
    by one of them, once."""
    program = load_catalog(ROOT / "prompts").program_for(Role.CHECKIN)
    async with deployment(postgres_url, tmp_path, encryption_key, tick_seconds="0.2") as deployed:
        emulator = deployed.emulator
        users = [FIRST_USER + n for n in range(CLINICIANS)]
        # Due this minute, as the schedule says (UTC: the clinicians are in a UTC zone).
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        engine = create_engine(postgres_url)
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                for user in users:
                    emulator.private_chat(user, started=True)
                    person = await factories.add(
                        session, factories.clinician(user=user, zone="UTC")
                    )
                    assert person.id is not None
                    plan = await factories.add(
                        session,
                        factories.schedule(
                            clinician_id=person.id, local_time=due.time(), created_at=due
                        ),
                    )
                    assert plan.id is not None
                    prompt = factories.delivery(
                        clinician_id=person.id, schedule_id=plan.id, due_at=due, created_at=due
                    )
                    prompt.program_id = program.id
                    await factories.add(session, prompt)
            for user in users:
                await emulator.wait_for_bot_message(user, timeout=30)
            await asyncio.sleep(2.0)  # ten more ticks of each instance
            async with transaction(create_sessionmaker(engine)) as session:
                statuses = (await session.execute(select(col(Delivery.status)))).scalars().all()
        finally:
            await engine.dispose()
    for user in users:
        assert len(emulator.bot_messages(user)) == 1, f"clinician {user} was prompted once"
    assert statuses.count("sent") == CLINICIANS
