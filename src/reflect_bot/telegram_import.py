"""python-telegram-bot, imported as if its optional Telegram Passport support were absent.

PTB imports cryptography at `import telegram` whenever it is installed, only to decrypt
Telegram Passport data (the `passport` extra, which reflect-bot does not ask for: the bot
never requests passport data and never gives PTB a private key). reflect-bot installs
cryptography for its own encryption at rest, and needs it only once a stored value is first
encrypted or decrypted (db/types.py). Its Rust bindings bundle OpenSSL: ≈ 9 MB of an idle
bot's ≈ 80 MB. The commands that run the bot import PTB through here first, so PTB takes
the branch it takes without the extra, and cryptography stays importable for later.
"""

from __future__ import annotations

import sys


def import_telegram() -> None:
    """Imports `telegram` with cryptography hidden, unless either is already loaded."""
    if "telegram" in sys.modules or "cryptography" in sys.modules:
        return  # PTB has made its choice already, or cryptography is paid for anyway
    # A None entry makes `import cryptography…` raise ImportError, which PTB catches.
    sys.modules["cryptography"] = None  # type: ignore[assignment]
    try:
        import telegram  # noqa: F401
    finally:
        del sys.modules["cryptography"]
