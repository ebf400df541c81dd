"""What one sandbox run hands to the next: the emulator's numbering and the travelled clock.

The emulator keeps its chats in memory and numbers from 1 each time it starts, but the bot's
database outlives it: it remembers which update ids it has handled (and ignores repeats) and
which message ids hold questions and answers. Telegram never reuses either number, so the
sandbox continues both where the previous run stopped; otherwise a restarted sandbox would
have the bot ignore the person's first messages as "already handled".

The clock offset is kept for the same reason: prompts already sent for travelled-to days stay
sent, so a restart that fell back to real time would leave the sandbox silent until real
time caught up. Time in the sandbox only ever moves forward.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import col

from reflect_bot.clock import OffsetClock
from reflect_bot.db.engine import transaction
from reflect_bot.db.models import ProcessedUpdate
from reflect_bot.emulator import BotAPIEmulator
from reflect_bot.services import Services

log = logging.getLogger(__name__)

STATE_FILE = "sandbox-state.json"


@dataclass(frozen=True)
class SavedState:
    next_update_id: int = 1
    next_message_id: int = 1
    clock_ahead_seconds: float = 0.0


def read(data_dir: Path) -> SavedState:
    """What the previous run saved; the defaults on a first run or an unreadable file."""
    path = data_dir / STATE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return SavedState(
            next_update_id=int(raw["next_update_id"]),
            next_message_id=int(raw["next_message_id"]),
            clock_ahead_seconds=max(float(raw["clock_ahead_seconds"]), 0.0),
        )
    except FileNotFoundError:
        return SavedState()
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable %s", path)
        return SavedState()


async def highest_handled_update(services: Services) -> int:
    """The highest update id the bot recorded (a run that crashed saved no state file)."""
    async with transaction(services.sessions) as session:
        result = await session.execute(select(func.max(col(ProcessedUpdate.update_id))))
        value = result.scalar_one_or_none()
    return int(value or 0)


def restore(
    state: SavedState, *, emulator: BotAPIEmulator, chat_id: int, clock: OffsetClock
) -> None:
    """Makes the emulator number after the saved numbers and puts the clock where it was."""
    queue = emulator.state.updates
    queue.next_update_id = max(queue.next_update_id, state.next_update_id)
    # The emulator has no public setter for this: its numbering is per chat and starts at 1.
    counters: dict[int, int] = emulator.state._next_message_id
    counters[chat_id] = max(counters.get(chat_id, 1), state.next_message_id)
    ahead = timedelta(seconds=state.clock_ahead_seconds)
    if ahead > clock.offset:
        clock.advance(ahead - clock.offset)


def save(emulator: BotAPIEmulator, *, chat_id: int, clock: OffsetClock, data_dir: Path) -> None:
    counters: dict[int, int] = emulator.state._next_message_id
    state = SavedState(
        next_update_id=emulator.state.updates.next_update_id,
        next_message_id=counters.get(chat_id, 1),
        clock_ahead_seconds=clock.offset.total_seconds(),
    )
    path = data_dir / STATE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state)) + "\n", encoding="utf-8")
    temporary.replace(path)  # whole or not at all, even if the process dies mid-write
