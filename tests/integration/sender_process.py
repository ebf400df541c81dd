"""A sender as a whole process, for crash and multi-process tests.

    python -m tests.integration.sender_process --now ISO [--wait-for-go]
        [--hang-before-send | --hang-before-record]

Settings come from the environment (REFLECT_DATABASE_URL, REFLECT_BOT_TOKEN,
REFLECT_TELEGRAM_BASE_URL, REFLECT_ENCRYPTION_KEYS, …). Runs one tick at the given (fixed)
time and prints its report as JSON. The hang options stop the process at a chosen point
forever, so a test can kill -9 it there:

- ``--hang-before-send``: after the rows were claimed (and committed), before any request;
- ``--hang-before-record``: after Telegram accepted a message, before it is marked sent.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from datetime import datetime
from typing import Any

from reflect_bot import telegram_http
from reflect_bot.clock import FixedClock
from reflect_bot.config import get_settings
from reflect_bot.db.repositories import deliveries
from reflect_bot.delivery import sender
from reflect_bot.delivery.composers import delivery_composers
from reflect_bot.delivery.ticker import Ticker
from reflect_bot.services import build_services


async def _hang(*_args: Any, **_kwargs: Any) -> Any:
    print("HANGING", flush=True)
    await asyncio.Event().wait()


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--now", required=True)
    parser.add_argument("--hang-before-send", action="store_true")
    parser.add_argument("--hang-before-record", action="store_true")
    parser.add_argument("--wait-for-go", action="store_true", help="start on a line on stdin")
    args = parser.parse_args(argv)
    if args.hang_before_send:
        sender._send_one = _hang
    if args.hang_before_record:
        deliveries.mark_sent_many = _hang
    settings = get_settings()
    services = build_services(settings, clock=FixedClock(datetime.fromisoformat(args.now)))
    assert settings.bot_token is not None
    bot = telegram_http.bot(
        settings.bot_token.get_secret_value(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
    )
    try:
        async with bot:
            if args.wait_for_go:  # lets a test start several processes at the same moment
                print("READY", flush=True)
                await asyncio.to_thread(sys.stdin.readline)
            composers = delivery_composers(bot_username=None)
            report = await Ticker(sender.Sender(services, bot, composers)).tick()
    finally:
        await services.engine.dispose()
    print(json.dumps(dataclasses.asdict(report)), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
