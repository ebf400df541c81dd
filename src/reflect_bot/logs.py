"""Logging that cannot carry what a clinician wrote.

Our own log lines name ids, counts and error types only. Some libraries log request bodies
or query rows at DEBUG: python-telegram-bot logs every Bot API call with its parameters and
every answer (so every message in both directions), aiosqlite every statement with its
parameters, SQLAlchemy result rows. Those loggers are held at a level where they say
nothing of the kind, whatever level the operator asks for.
"""

from __future__ import annotations

import logging

# The lowest level each chatty library may log at.
HELD_BACK: dict[str, int] = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,  # logs each request URL at INFO, and the URL holds the token
    "httpcore": logging.INFO,
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
    "sqlalchemy.engine": logging.WARNING,
    "sqlalchemy.pool": logging.WARNING,
}


def hold_back_chatty_libraries() -> None:
    """Raises those libraries' loggers to their floor (never lowers a stricter setting)."""
    for name, floor in HELD_BACK.items():
        logger = logging.getLogger(name)
        if logger.level < floor:
            logger.setLevel(floor)
