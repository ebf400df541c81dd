"""`python -m reflect_bot` is the same as the `reflect-bot` command."""

import sys

from reflect_bot.cli import main

sys.exit(main())
