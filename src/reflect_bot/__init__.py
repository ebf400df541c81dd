"""reflect-bot: reflective practice about the therapeutic relationship, on Telegram."""

__version__ = "0.1.0"
