"""Imported by Python at start-up in the bot subprocesses of test_faults_kill.py, whose
PYTHONPATH points here: moves the bot's real clock (SystemClock) by the number of seconds
in the file named by $REFLECT_TEST_CLOCK_FILE, re-read whenever the file changes, so the
test can walk a week in a minute without touching the bot's code."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

_PATH = os.environ.get("REFLECT_TEST_CLOCK_FILE")

if _PATH:
    from reflect_bot import clock as _clock

    _real_now = _clock.SystemClock.now
    _seen: dict[str, object] = {"mtime": None, "offset": timedelta(0)}

    def _shifted_now(self: _clock.SystemClock) -> datetime:
        assert _PATH is not None
        try:
            mtime: int | None = os.stat(_PATH).st_mtime_ns
        except OSError:
            mtime = None
        if mtime != _seen["mtime"]:
            with open(_PATH, encoding="ascii") as handle:
                _seen["offset"] = timedelta(seconds=float(handle.read().strip() or 0))
            _seen["mtime"] = mtime
        offset = _seen["offset"]
        assert isinstance(offset, timedelta)
        return _real_now(self) + offset

    _clock.SystemClock.now = _shifted_now  # type: ignore[method-assign]
