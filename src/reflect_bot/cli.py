"""The `reflect-bot` command: run, webhook, migrate, prompts check, keys."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from reflect_bot.config import Settings, SettingsError, get_settings

NO_TOKEN = (
    "REFLECT_BOT_TOKEN is not set.\n"
    "Create a bot with @BotFather in Telegram (send /newbot), copy the token it gives you, then:\n"
    "  export REFLECT_BOT_TOKEN=123456:ABC...\n"
    "or put REFLECT_BOT_TOKEN=... in a .env file here (see .env.example)."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    code: int = args.handler(args)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reflect-bot", description="A Telegram bot for clinicians' reflective practice."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot with long polling")
    run.set_defaults(handler=_run)
    webhook = commands.add_parser("webhook", help="run the bot behind a webhook (production)")
    webhook.set_defaults(handler=_webhook)
    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=_migrate)

    prompts = commands.add_parser("prompts", help="work with the prompt content")
    prompts_commands = prompts.add_subparsers(title="prompts commands", metavar="COMMAND")
    check = prompts_commands.add_parser("check", help="validate a prompts directory")
    check.add_argument("directory", nargs="?", type=Path, help="default: REFLECT_PROMPTS_DIR")
    check.set_defaults(handler=_prompts_check)

    keys = commands.add_parser("keys", help="encryption keys")
    keys_commands = keys.add_subparsers(title="keys commands", metavar="COMMAND")
    generate = keys_commands.add_parser("generate", help="print a new encryption key")
    generate.set_defaults(handler=_keys_generate)
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
    # httpx logs every request URL at INFO, and those URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


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


def _startable(settings: Settings) -> bool:
    if settings.bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return False
    return _prepare_database(settings)


def _run(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    if not _startable(settings):
        return 2
    from reflect_bot.app import build_application

    build_application(settings).run_polling(drop_pending_updates=False)
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

    build_application(settings).run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=settings.webhook_path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret_token.get_secret_value(),
    )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _configure_logging(settings)
    from reflect_bot.db.migrations import upgrade_head

    upgrade_head(settings.effective_database_url)
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
    print(f"{directory}: all concepts and programs are valid.")
    return 0


def _keys_generate(_args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode("ascii"))
    return 0
