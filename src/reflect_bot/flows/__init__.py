"""Use cases: what a clinician can do, one transaction each.

A flow takes a session (or the sessionmaker when it owns its transaction), the catalog, the
clock and plain ids and values, and returns a plain outcome that says what happened. It imports
no Telegram: handlers parse an update, call one flow and say its outcome with words and
buttons from `reflect_bot.ui`. Delivery composers call flows too, never handlers.
"""
