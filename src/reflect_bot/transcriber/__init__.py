"""`reflect-bot transcriber`: voice notes to text on the operator's own machine (issue #22).

Its own process, beside the bot: the bot never imports the speech engine, so its memory,
start-up and latency do not change with voice enabled. Needs the `voice` extra.
"""
