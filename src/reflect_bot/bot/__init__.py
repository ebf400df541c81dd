"""Telegram-facing code: handlers, keyboards and every user-facing text."""
