"""`python -m bot` does what `sferum-bot run` does."""

import sys

from bot.cli import main

raise SystemExit(
    main(
        ["run", *sys.argv[1:]] if len(sys.argv) < 2 or sys.argv[1].startswith("-") else sys.argv[1:]
    )
)
