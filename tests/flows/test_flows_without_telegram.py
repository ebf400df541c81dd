"""Use cases run without Telegram: importing every module of reflect_bot.flows in a fresh
interpreter loads neither python-telegram-bot nor a handler (`reflect_bot.bot`)."""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = """
import importlib, json, pkgutil, sys
import reflect_bot.flows as flows
names = [f"reflect_bot.flows.{m.name}" for m in pkgutil.iter_modules(flows.__path__)]
for name in names:
    importlib.import_module(name)
def forbidden(module):
    return any(module == f or module.startswith(f + ".") for f in ("telegram", "reflect_bot.bot"))
loaded = [m for m in sys.modules if forbidden(m)]
print(json.dumps({"flows": names, "loaded": sorted(loaded)}))
"""


def test_no_flow_loads_telegram_or_a_handler() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(done.stdout)
    assert {"reflect_bot.flows.privacy", "reflect_bot.flows.journal"} <= set(seen["flows"])
    assert seen["loaded"] == []
