"""Renderers: domain values to Telegram HTML or Markdown."""
