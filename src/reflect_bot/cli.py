"""The `reflect-bot` command: run, webhook, sandbox, transcriber, migrate, prompts check, keys,
invite."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from reflect_bot.clock import SystemClock
from reflect_bot.concepts_cli import add_concepts_commands
from reflect_bot.config import Settings, SettingsError, get_settings
from reflect_bot.logs import hold_back_chatty_libraries

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

    from reflect_bot.db.keyring import ColumnReport

NO_TOKEN = (
    "REFLECT_BOT_TOKEN is not set.\n"
    "Create a bot with @BotFather in Telegram (send /newbot), copy the token it gives you, then:\n"
    "  export REFLECT_BOT_TOKEN=123456:ABC...\n"
    "or put REFLECT_BOT_TOKEN=... in a .env file here (see .env.example)."
)


def main(argv: Sequence[str] | None = None) -> int:
    # Starting loads ≈ 170 modules, and the cyclic collector would walk everything loaded so
    # far again and again while they load: ≈ 150 ms of a 0.8 s start (bench P5). It stays off
    # until the command has loaded what it needs (`_loaded`).
    gc.disable()
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "handler"):
            parser.print_help()
            return 2
        code: int = args.handler(args)
        return code
    finally:
        gc.enable()


def command() -> NoReturn:
    """The `reflect-bot` command and `python -m reflect_bot`: `main`, then the process ends."""
    code = main()
    # Everything loaded stays in use until the process ends and the system takes the memory
    # back whole; unfrozen, the interpreter's shutdown would first walk all of it for cycles
    # to free: ≈ 0.14 s of a 0.7 s `reflect-bot migrate`. (Tests call `main` in-process.)
    gc.freeze()
    sys.exit(code)


def _loaded() -> None:
    """Start-up is over: the collector comes back, and leaves alone what start-up built
    (modules, classes, the catalog), which lives as long as the process. Without the freeze
    its first full pass while serving would walk all of that (≈ 120,000 objects) during
    some clinician's answer. Start-up's own cyclic garbage (≈ 900 objects) stays too."""
    gc.freeze()
    gc.enable()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reflect-bot", description="A Telegram bot for clinicians' reflective practice."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the bot with long polling (without a token: the local sandbox)"
    )
    run.set_defaults(handler=_run)
    webhook = commands.add_parser("webhook", help="run the bot behind a webhook (production)")
    webhook.set_defaults(handler=_webhook)
    sandbox = commands.add_parser(
        "sandbox", help="try the bot without Telegram: a local chat page in your browser"
    )
    sandbox.add_argument(
        "--port", type=int, default=None, help="the page's port on 127.0.0.1 (0: any free one)"
    )
    sandbox.add_argument(
        "--data-dir", type=Path, default=None, help="where its SQLite file lives (sandbox-data)"
    )
    sandbox.set_defaults(handler=_sandbox)
    transcriber = commands.add_parser(
        "transcriber",
        help="transcribe voice notes on this machine, beside the bot (needs the voice extra)",
    )
    transcriber.set_defaults(handler=_transcriber)
    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=_migrate)

    prompts = commands.add_parser("prompts", help="work with the prompt content")
    prompts_commands = prompts.add_subparsers(title="prompts commands", metavar="COMMAND")
    check = prompts_commands.add_parser("check", help="validate a prompts directory")
    check.add_argument("directory", nargs="?", type=Path, help="default: REFLECT_PROMPTS_DIR")
    check.set_defaults(handler=_prompts_check)
    add_concepts_commands(commands)

    keys = commands.add_parser("keys", help="encryption keys")
    keys_commands = keys.add_subparsers(title="keys commands", metavar="COMMAND")
    generate = keys_commands.add_parser("generate", help="print a new encryption key")
    generate.add_argument(
        "--webhook-secret",
        action="store_true",
        help="print a secret for REFLECT_WEBHOOK_SECRET_TOKEN instead",
    )
    generate.set_defaults(handler=_keys_generate)
    rotate = keys_commands.add_parser(
        "rotate", help="re-encrypt every stored value under the first key (resumable)"
    )
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    rotate.set_defaults(handler=_keys_rotate)
    key_check = keys_commands.add_parser(
        "check", help="report stored values the configured keys cannot decrypt"
    )
    key_check.set_defaults(handler=_keys_check)

    invite = commands.add_parser("invite", help="invite codes for a clinic deployment")
    invite_commands = invite.add_subparsers(title="invite commands", metavar="COMMAND")
    create = invite_commands.add_parser(
        "create", help="make a one-time invite code (shown once; only its hash is stored)"
    )
    create.add_argument(
        "--expires-days", type=float, default=None, help="days until it expires (default: never)"
    )
    create.set_defaults(handler=_invite_create)
    return parser


def _settings() -> Settings | None:
    try:
        return get_settings()
    except SettingsError as exc:
        print(f"reflect-bot cannot start; check these settings:\n{exc}", file=sys.stderr)
        return None


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # The bot's discipline in every command: no library logs statement parameters
    # (ciphertexts, invite hashes), request bodies or the token-bearing URLs httpx logs.
    hold_back_chatty_libraries()


def _prepare_database(settings: Settings) -> bool:
    """SQLite migrates itself; PostgreSQL must be migrated by the operator first."""
    from reflect_bot.db.migrations import pending, upgrade_head

    url = settings.effective_database_url
    if settings.is_sqlite:
        upgrade_head(url)
        return True
    if asyncio.run(pending(url)):
        print(
            "The database schema is behind this version of reflect-bot.\n"
            "Run `reflect-bot migrate` (or the compose `migrate` service) first, then start again.",
            file=sys.stderr,
        )
        return False
    return True


def _schema_ready(settings: Settings, *, wait_seconds: float) -> bool:
    """Whether the schema is at head, waiting up to `wait_seconds` for it to get there."""
    import time

    from reflect_bot.db.migrations import pending

    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            if not asyncio.run(pending(settings.effective_database_url)):
                return True
        except Exception as exc:  # not created yet, or being created by the bot right now
            logging.getLogger(__name__).info("waiting for the schema: %s", type(exc).__name__)
        if time.monotonic() >= deadline:
            return False
        time.sleep(1.0)


def _startable(settings: Settings) -> bool:
    if settings.bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return False
    if not _prepare_database(settings):
        return False
    from reflect_bot.crypto import load_keys

    return _keys_fit(settings, load_keys(settings), canary=True)


def _keys_fit(settings: Settings, keys: list[str], *, canary: bool) -> bool:
    """False (after saying why) when something is stored and none of `keys` can read it.

    A bot started with foreign keys would fail every update and write new rows under a key
    that does not belong to this database. With `canary`, a database without the canary
    gets one under the first key once the keys are known to fit.
    """
    from reflect_bot.db import keyring
    from reflect_bot.db.engine import create_engine, create_sessionmaker

    async def run() -> keyring.KeyFit:
        engine = create_engine(settings.effective_database_url)
        try:
            sessions = create_sessionmaker(engine)
            found = await keyring.fit(sessions, keys=keys)
            if canary and not found.canary and not found.none_readable:
                await keyring.write_canary(sessions, key=keys[0])
            return found
        finally:
            await engine.dispose()

    found = asyncio.run(run())
    if found.none_readable:
        what = "the key check value" if found.canary else f"{found.looked_at} stored value(s)"
        print(
            f"None of the keys in REFLECT_ENCRYPTION_KEYS can read what this database holds "
            f"({what} looked at). It was written under another key: put that key in "
            "REFLECT_ENCRYPTION_KEYS (after the first), or, in development, restore the key "
            "file beside the database. Nothing was started, so nothing new was written under "
            "a key that does not belong here. `reflect-bot keys check` lists what cannot be read.",
            file=sys.stderr,
        )
        return False
    if found.readable < found.looked_at:
        print(
            f"{found.looked_at - found.readable} of {found.looked_at} stored value(s) looked at "
            "cannot be read with the configured keys: run `reflect-bot keys check`.",
            file=sys.stderr,
        )
    return True


def _run(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    if settings.bot_token is None and settings.env != "production":
        # A first try needs no Telegram account: the same bot, against a local chat page.
        return _start_sandbox(settings, port=None, data_dir=None, no_token=True)
    if not _startable(settings):
        return 2
    from reflect_bot.app import build_application

    application = build_application(settings)
    _loaded()
    application.run_polling(drop_pending_updates=False)
    return 0


def _webhook(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    if not settings.webhook_url or settings.webhook_secret_token is None:
        print(
            "Webhook mode needs REFLECT_WEBHOOK_URL (the public https address Telegram calls) "
            "and REFLECT_WEBHOOK_SECRET_TOKEN.",
            file=sys.stderr,
        )
        return 2
    if not _startable(settings):
        return 2
    from reflect_bot.app import build_application
    from reflect_bot.webhook import run_webhook

    application = build_application(settings, polling=False)
    _loaded()
    run_webhook(application, settings)
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    return _start_sandbox(settings, port=args.port, data_dir=args.data_dir, no_token=False)


def _start_sandbox(
    settings: Settings, *, port: int | None, data_dir: Path | None, no_token: bool
) -> int:
    # The scheduler logs every tick and Alembic every step (some on import) at INFO; beside
    # the page's address in a terminal, that is noise.
    for chatty in ("apscheduler", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    from reflect_bot.sandbox import options_from_environment, run_sandbox

    try:
        options = options_from_environment(settings, port=port, data_dir=data_dir)
    except ValueError as exc:
        print(f"reflect-bot cannot start; check these settings:\n{exc}", file=sys.stderr)
        return 2
    _loaded()
    return run_sandbox(settings, options, no_token=no_token)


def _transcriber(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    if settings.bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    # The bot (SQLite) or `reflect-bot migrate` (PostgreSQL) brings the schema up to date;
    # a transcriber started beside the bot waits for that rather than migrating at once.
    if not _schema_ready(settings, wait_seconds=settings.transcription_schema_wait_seconds):
        print(
            "The database schema is not up to date: start the bot (SQLite) or run "
            "`reflect-bot migrate` (PostgreSQL) first.",
            file=sys.stderr,
        )
        return 2
    from reflect_bot.crypto import load_keys

    if not _keys_fit(settings, load_keys(settings), canary=False):
        return 2
    from reflect_bot.transcriber.process import serve

    _loaded()
    return serve(settings)


def _migrate(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    from reflect_bot.db.migrations import upgrade_head

    upgrade_head(settings.effective_database_url)
    keys = _stored_keys(settings)
    # The key canary is written under the first key, unless what is stored says it is foreign.
    if keys and not _keys_fit(settings, keys, canary=True):
        return 2
    print("The database is up to date.")
    return 0


def _prompts_check(args: argparse.Namespace) -> int:
    from reflect_bot.catalog import check_catalog

    directory: Path | None = args.directory
    if directory is None:
        settings = _settings()
        if settings is None:
            return 2
        directory = settings.prompts_dir
    problems = check_catalog(directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"{directory}: all concepts, programs and portfolio profiles are valid.")
    return 0


def _keys_generate(args: argparse.Namespace) -> int:
    from reflect_bot.crypto import new_key, new_webhook_secret

    print(new_webhook_secret() if args.webhook_secret else new_key())
    return 0


def _stored_keys(settings: Settings) -> list[str]:
    """The configured keys, first key first; in development, the local key file if any
    (never created here: a key made by a maintenance command would be one nobody knows of)."""
    from reflect_bot.crypto import dev_key_path, read_key_file

    keys = [key.get_secret_value() for key in settings.encryption_keys]
    if not keys:
        path = dev_key_path(settings)
        if settings.env != "production" and path.exists():
            keys = [read_key_file(path)]
    return keys


def _key_ring(settings: Settings) -> list[Fernet] | None:
    from cryptography.fernet import Fernet

    keys = _stored_keys(settings)
    if not keys:
        print(
            "No encryption keys: set REFLECT_ENCRYPTION_KEYS (first key encrypts).",
            file=sys.stderr,
        )
        return None
    return [Fernet(key) for key in keys]


def _database_ready(settings: Settings) -> bool:
    from reflect_bot.db.migrations import pending

    if asyncio.run(pending(settings.effective_database_url)):
        print(
            "The database schema is not up to date: run `reflect-bot migrate` first.",
            file=sys.stderr,
        )
        return False
    return True


def _print_reports(reports: list[ColumnReport], *, rotating: bool) -> int:
    """One line per encrypted column; ids of unreadable rows, never their contents."""
    unreadable = 0
    for report in reports:
        line = f"{report.name}: {report.values} value(s)"
        if rotating:
            line += f", {report.rotated} re-encrypted"
        elif report.stale:
            line += f", {report.stale} still under an older key"
        if report.undecryptable:
            unreadable += report.undecryptable
            shown = ", ".join(str(i) for i in report.undecryptable_ids)
            more = " …" if report.undecryptable > len(report.undecryptable_ids) else ""
            line += f", {report.undecryptable} CANNOT BE DECRYPTED (row ids: {shown}{more})"
        print(line)
    if unreadable:
        print(
            f"{unreadable} value(s) cannot be decrypted with the configured keys. "
            "Add the key they were written with to REFLECT_ENCRYPTION_KEYS (after the first).",
            file=sys.stderr,
        )
        return 1
    return 0


def _with_keys(
    run: Callable[[Settings, list[Fernet]], Coroutine[None, None, int]],
) -> Callable[[argparse.Namespace], int]:
    def handler(_args: argparse.Namespace) -> int:
        settings = _settings()
        if settings is None:
            return 2
        _configure_logging(settings)
        keys = _key_ring(settings)
        if keys is None or not _database_ready(settings):
            return 2
        from reflect_bot.db.keyring import NoEncryptedColumnsError

        _loaded()  # checking or rotating goes through every stored value
        try:
            return asyncio.run(run(settings, keys))
        except NoEncryptedColumnsError as exc:
            print(f"reflect-bot cannot check the keys: {exc}.", file=sys.stderr)
            return 2

    return handler


def _keys_rotate(args: argparse.Namespace) -> int:
    batch_size: int = args.batch_size

    async def run(settings: Settings, keys: list[Fernet]) -> int:
        from reflect_bot.db import keyring
        from reflect_bot.db.engine import create_engine, create_sessionmaker

        def progress(table: str, done: int) -> None:
            print(f"  {table}: {done} row(s) done", flush=True)

        engine = create_engine(settings.effective_database_url)
        try:
            reports = await keyring.rotate(
                create_sessionmaker(engine), keys=keys, batch_size=batch_size, progress=progress
            )
        finally:
            await engine.dispose()
        code = _print_reports(reports, rotating=True)
        if code == 0:
            print(
                "Every value is now under the first key. Once `reflect-bot keys check` agrees, "
                "the older keys can be removed from REFLECT_ENCRYPTION_KEYS."
            )
        return code

    return _with_keys(run)(args)


def _keys_check(args: argparse.Namespace) -> int:
    async def run(settings: Settings, keys: list[Fernet]) -> int:
        from reflect_bot.db import keyring
        from reflect_bot.db.engine import create_engine, create_sessionmaker

        engine = create_engine(settings.effective_database_url)
        try:
            reports = await keyring.check(create_sessionmaker(engine), keys=keys)
        finally:
            await engine.dispose()
        code = _print_reports(reports, rotating=False)
        stale = sum(report.stale for report in reports)
        if code == 0:
            print("Every stored value can be decrypted.")
        if stale:
            print(f"{stale} value(s) are under an older key: `reflect-bot keys rotate` moves them.")
        return code

    return _with_keys(run)(args)


def _invite_create(args: argparse.Namespace) -> int:
    expires_days: float | None = args.expires_days
    if expires_days is not None and expires_days <= 0:
        print("--expires-days must be more than 0.", file=sys.stderr)
        return 2
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    if settings.is_sqlite:
        from reflect_bot.db.migrations import upgrade_head

        upgrade_head(settings.effective_database_url)
    elif not _database_ready(settings):
        return 2

    async def run() -> tuple[str, datetime | None]:
        from reflect_bot.db.engine import create_engine, create_sessionmaker, transaction
        from reflect_bot.db.repositories import privacy

        now = SystemClock().now()
        expires = now + timedelta(days=expires_days) if expires_days is not None else None
        engine = create_engine(settings.effective_database_url)
        try:
            async with transaction(create_sessionmaker(engine)) as session:
                code = await privacy.create_invite(session, now=now, expires_at=expires)
        finally:
            await engine.dispose()
        return code, expires

    code, expires = asyncio.run(run())
    until = f"until {expires:%Y-%m-%d %H:%M} UTC" if expires else "with no expiry"
    print(f"Invite code (valid once, {until}):\n\n  {code}\n")
    print("The new clinician sends the bot:  /start " + code)
    print(
        "Only a hash of the code is stored, so it cannot be shown again. While any invite "
        "exists, only invited people and REFLECT_ALLOWED_USER_IDS can use the bot."
    )
    return 0
