"""`bsmi-desk demo`: a realistic year in a fresh SQLite database, and its reports on disk."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.assessment import demo as assessment_demo
from bot.cases import demo as case_demo
from bot.cases import summary, summary_report
from bot.cli.common import LangOption, cli_command, report_language
from bot.notices import demo as notice_demo
from bot.surveys import demo as survey_demo
from courtesy import demo as courtesy_demo
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.periods import Period, last_complete_month
from storage.db import Database


@dataclass(frozen=True)
class DemoResult:
    database: Path
    year: int
    month: tuple[int, int]
    files: list[Path]


def build_demo(*, out: Path, today: date, language: str, seed: int = 2026) -> DemoResult:
    """Fill `out/demo.sqlite3` afresh with `today`'s year and write the reports into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo.sqlite3"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    try:
        db.upgrade()
        rng = random.Random(seed)
        year = today.year
        with db.transaction() as session:
            courtesy_demo.seed_demo(session=session, rng=rng, year=year)
        with db.transaction() as session:
            notice_demo.seed_demo(session=session, rng=rng, year=year)
        with db.transaction() as session:
            case_demo.seed_demo(session=session, rng=rng, year=year)
        with db.transaction() as session:
            survey_demo.seed_demo(session=session, rng=rng, year=year, today=today)
        month = last_complete_month(today).year_month
        with db.transaction() as session:
            monthly = summary.build_summary(
                session=session, year=month[0], month=month[1], today=today, language=language
            )
        files = summary_report.write_report(monthly, out, language)
        tz = ZoneInfo("Asia/Taipei")
        with db.transaction() as session:
            notice_demo.seed_registry_demo(session=session, rng=rng, today=today, tz=tz)
        with db.transaction() as session:
            files += notice_demo.write_notices_report(
                session=session,
                out=out,
                year=month[0],
                month=month[1],
                today=today,
                tz=tz,
                language=language,
            )
        with db.transaction() as session:
            files += courtesy_demo.write_demo_report(
                session=session, out=out, year=year, language=language
            )
        half = Period(year, half=1)
        if half.last < today:  # the half-year pack, once the first half-year is over
            with db.transaction() as session:
                assessment_demo.seed_demo(session=session, rng=rng, period=half, today=today)
            with db.transaction() as session:
                files += assessment_demo.write_demo_reports(
                    session=session,
                    out=out,
                    period=half,
                    today=today,
                    language=language,
                    pass_mark=courtesy_demo.PASS_MARK,
                )
        with db.transaction() as session:
            files += survey_demo.write_demo_reports(
                session=session, out=out, today=today, language=language
            )
    finally:
        db.dispose()
    return DemoResult(database=path, year=year, month=month, files=files)


@cli_command
def demo(
    out: Annotated[Path, typer.Option(help="directory for the demo database and reports")],
    lang: LangOption = None,
    seed: Annotated[
        int, typer.Option(help="random seed; the same seed gives the same year")
    ] = 2026,
) -> None:
    """Fill a fresh SQLite database with a realistic year and write its reports (no token)."""
    chosen = report_language(lang)
    today = utcnow().astimezone(ZoneInfo("Asia/Taipei")).date()
    result = build_demo(out=out, today=today, language=chosen, seed=seed)
    typer.echo(t(chosen, "cli.demo_database", path=str(result.database), year=result.year))
    for path in result.files:
        typer.echo(str(path))
