"""What the `bsmi-desk courtesy …` commands share: the language and date they work in, files
read as text (UTF-8, or Big5 as Excel on zh-TW Windows saves them), and a refused file listed
line by line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from bot.cli.common import fail, settings
from courtesy.directory import RowErrors
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.textfiles import BIG5, read_text_file


def lang() -> str:
    return settings().default_language


def today() -> date:
    return utcnow().astimezone(settings().tz).date()


def now() -> datetime:
    """Now in the branch's time zone, the zone the calls are scheduled in."""
    return utcnow().astimezone(settings().tz)


def read(path: Path) -> str:
    """The file as text, UTF-8 (a BOM dropped) or else Big5, which is then said on stderr; a
    file that cannot be read is one sentence (kernel.textfiles)."""
    found = read_text_file(path)
    if found.encoding == BIG5:
        typer.echo(t(lang(), "files.read_as", path=str(path), encoding=found.encoding), err=True)
    return found.text


def fail_rows(exc: RowErrors) -> None:
    """Fail with the refusal and one line per bad row."""
    language = lang()
    lines = [t(language, exc.key, **exc.values)]
    for problem in exc.problems:
        text = t(language, problem.key, **problem.values)
        lines.append(t(language, "courtesy.staff.row_line", line=problem.line, problem=text))
    fail("\n".join(lines))
