"""The console script run as a person runs it: `python -m bot ARGS` in a process of its own,
without the Telegram settings of the machine running the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`bsmi-desk ARGS` with `env` over this process's environment, less TELEGRAM_*, WEBHOOK_*
    and ADMIN_TELEGRAM_IDS."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    base.pop("ADMIN_TELEGRAM_IDS", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
