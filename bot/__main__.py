"""`python -m bot` is the same as `bsmi-desk`."""

from bot.cli.app import main

main()
