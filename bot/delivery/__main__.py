"""`python -m bot.delivery [--lease-seconds N]`: the delivery worker on its own (also
`bsmi-desk notice worker`); normally it runs inside `bsmi-desk run`. A bad setting, a refused
token or a wrong TELEGRAM_BASE_URL is one line on stderr and exit code 2, as for `bsmi-desk`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.delivery.service import serve
from bot.edge import logs
from bot.settings import SettingsError, load_settings
from kernel.errors import UserError
from kernel.i18n import t


def main(argv: list[str] | None = None) -> None:
    """Parse the options, read the settings, set up logging, serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m bot.delivery", description=__doc__)
    parser.add_argument("--lease-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        logs.configure(token=settings.require_token(), secrets=settings.log_secrets())
        asyncio.run(serve(settings, lease_seconds=args.lease_seconds))
    except SettingsError as exc:
        sys.exit(_one_line(str(exc)))
    except UserError as exc:
        sys.exit(_one_line(t(settings.default_language, exc.key, **exc.values)))


def _one_line(sentence: str) -> int:
    """Write `sentence` to stderr; the exit code of a setting to fix."""
    sys.stderr.write(sentence + "\n")
    return 2


if __name__ == "__main__":
    main()
