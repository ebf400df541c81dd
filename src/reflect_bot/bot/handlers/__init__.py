"""One module per command family; each exposes handlers() for app.py to register."""
