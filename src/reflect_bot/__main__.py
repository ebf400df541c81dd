"""`python -m reflect_bot` is the same as the `reflect-bot` command."""

from reflect_bot.cli import command

command()
