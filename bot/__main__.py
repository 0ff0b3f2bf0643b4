"""`python -m bot` is the same as `bsmi-desk`."""

from bot.cli import main

main()
