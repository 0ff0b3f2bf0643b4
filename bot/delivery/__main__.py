"""`python -m bot.delivery [--lease-seconds N]`: the delivery worker on its own (also
`bsmi-desk notice worker`); normally it runs inside `bsmi-desk run`."""

from __future__ import annotations

import argparse
import asyncio

from bot.delivery.service import serve
from bot.edge import logs


def main(argv: list[str] | None = None) -> None:
    """Parse the options, set up logging, serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m bot.delivery", description=__doc__)
    parser.add_argument("--lease-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    logs.configure()
    asyncio.run(serve(lease_seconds=args.lease_seconds))


if __name__ == "__main__":
    main()
