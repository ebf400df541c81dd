"""Everything a clinician reads or presses: words (texts), buttons (keyboards) and the typed
callback data behind them. Handlers, renderers and delivery composers take their words from
here; nothing here imports a handler, a flow or the database."""
