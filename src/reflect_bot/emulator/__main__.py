"""``python -m reflect_bot.emulator``: run the emulator standalone until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import logging

from reflect_bot.signals import stop_on_signals

from ._emulator import BotAPIEmulator


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m reflect_bot.emulator",
        description="Run a local Telegram Bot API emulator.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123456:TEST", help="the bot token to accept")
    parser.add_argument("--bot-username", default="reflect_test_bot")
    parser.add_argument("--bot-name", default="Reflect Test Bot")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID[:NAME]",
        help="declare a user whose private chat is open to the bot (repeatable)",
    )
    parser.add_argument("--rate-limit", type=float, default=None, help="messages per second")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    emulator = BotAPIEmulator(
        args.token,
        bot_username=args.bot_username,
        bot_name=args.bot_name,
        host=args.host,
        port=args.port,
    )
    emulator.rate_limit = args.rate_limit
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        emulator.private_chat(int(user_id), name or f"User{user_id}", started=True)
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with emulator:
        print(f"Bot API emulator on {emulator.url}", flush=True)
        print(f"  base_url:      {emulator.base_url}", flush=True)
        print(f"  base_file_url: {emulator.base_file_url}", flush=True)
        print(f"  user API:      {emulator.url}/_emulator/info", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
