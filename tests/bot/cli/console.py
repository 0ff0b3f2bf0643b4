"""The console script run as a person runs it: `python -m bot ARGS` in a process of its own,
without the Telegram settings of the machine running the tests; or in-process through Typer's
runner, with the one-line refusal every command gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.app import app


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


def invoke(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    """`bsmi-desk ARGS` in-process: exit code, stdout, stderr."""
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line(code: int, err: str) -> str:
    """The refusal of a command that exited with 2: its one line on stderr, no traceback."""
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    return lines[0]
