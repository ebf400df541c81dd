"""What every benchmark result records about the machine it ran on."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> dict[str, str]:
    """Date, CPUs, CPU model, Python, python-telegram-bot, SQLite, OS and current load."""
    import telegram

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus (nproc)": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "python-telegram-bot": telegram.__version__,
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(),
        "load average (1, 5, 15 min)": load_average(),
    }
