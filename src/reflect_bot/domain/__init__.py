"""Domain logic: pure functions over plain values. Imports neither Telegram nor the DB session."""
