"""Try reflect-bot without Telegram: a local chat page in the browser.

``reflect-bot sandbox`` (and ``reflect-bot run`` when no token is set) starts, in one process
and one event loop, the local Bot API emulator, the real bot polling it (SQLite in
``sandbox-data/``, migrated automatically, a development key file beside it) and a web page
on 127.0.0.1 that looks and behaves like a Telegram chat. A time-travel control (never in
production) moves the bot's clock forward, so scheduled prompts and the weekly digest arrive
without waiting.

In tests::

    async with Sandbox(settings, SandboxOptions(data_dir=tmp_path, port=0)) as sandbox:
        ...open sandbox.url in a browser; sandbox.emulator is the emulator...
"""

from reflect_bot.sandbox._main import (
    DIR_VARIABLE,
    NO_TOKEN_SANDBOX,
    PORT_VARIABLE,
    options_from_environment,
    run_sandbox,
)
from reflect_bot.sandbox._sandbox import (
    DEFAULT_PORT,
    USER_ID,
    PortInUseError,
    Sandbox,
    SandboxOptions,
    sandbox_settings,
)
from reflect_bot.sandbox._timetravel import Jump, TravelReport, next_weekday_at

__all__ = [
    "DEFAULT_PORT",
    "DIR_VARIABLE",
    "NO_TOKEN_SANDBOX",
    "PORT_VARIABLE",
    "USER_ID",
    "Jump",
    "PortInUseError",
    "Sandbox",
    "SandboxOptions",
    "TravelReport",
    "next_weekday_at",
    "options_from_environment",
    "run_sandbox",
    "sandbox_settings",
]
