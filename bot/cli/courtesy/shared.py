"""What the `bsmi-desk courtesy …` commands share: the language and date they work in, files
read as text, and a refused file listed line by line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.cli.common import fail, settings
from courtesy.directory import RowErrors
from kernel.clock import utcnow
from kernel.i18n import t


def lang() -> str:
    return settings().default_language


def today() -> date:
    return utcnow().astimezone(settings().tz).date()


def read(path: Path) -> str:
    """The file as text (a UTF-8 BOM is dropped); a file that cannot be read fails the command."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: {exc.strerror if isinstance(exc, OSError) else exc}")


def fail_rows(exc: RowErrors) -> None:
    """Fail with the refusal and one line per bad row."""
    language = lang()
    lines = [t(language, exc.key, **exc.values)]
    for problem in exc.problems:
        text = t(language, problem.key, **problem.values)
        lines.append(t(language, "courtesy.staff.row_line", line=problem.line, problem=text))
    fail("\n".join(lines))
