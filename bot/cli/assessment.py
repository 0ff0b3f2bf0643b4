"""`bsmi-desk assessment score | import | follow-up | publish | report | evidence`: the
self-assessment (附表2) from the terminal. Scores are taken as text and checked by the domain,
so a non-integer is one sentence, not a usage screen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.assessment import evidence as evidence_module
from bot.assessment import report as report_module
from bot.assessment.scoring import ScoreInput, grade_for, import_scores, publish, record_score
from bot.assessment.scoring import follow_up as record_follow_up
from bot.cli.common import (
    LangOption,
    WesternOption,
    cli_command,
    database,
    language,
    report_language,
    settings,
)
from bot.cli.target import operator
from kernel.clock import today as local_today
from kernel.i18n import t
from kernel.periods import ASSESSED, parse_period
from kernel.textfiles import read_text_file, writable_folder

assessment_app: typer.Typer = typer.Typer(
    help="The self-assessment (附表2) and its evidence.", no_args_is_help=True
)

Period = Annotated[str, typer.Option(help="2027-H1 (first half) or 2027 (whole year)")]
Points = Annotated[str, typer.Option()]


@assessment_app.command("score")
@cli_command
def score(
    period: Period,
    unit: Annotated[str, typer.Option(help="unit code or name, e.g. sec1 or 第一課")],
    basic: Annotated[str, typer.Option(help="基礎服務, 0–200")],
    delivery: Annotated[str, typer.Option(help="服務遞送, 0–300")],
    capacity: Annotated[str, typer.Option(help="服務量能, 0–200")],
    evaluation: Annotated[str, typer.Option(help="服務評價, 0–200")],
    innovation: Annotated[str, typer.Option(help="開放創新, 0–100")],
    assessed_on: Annotated[
        str | None, typer.Option(help="考核年月 YYYY-MM (default: this month)")
    ] = None,
    note: Annotated[str | None, typer.Option(help="a note shown in the remarks")] = None,
) -> None:
    """Record (or change, until published) one unit's scores."""
    chosen = parse_period(period, kinds=ASSESSED)
    db = database()
    points = {
        "basic": basic,
        "delivery": delivery,
        "capacity": capacity,
        "evaluation": evaluation,
        "innovation": innovation,
    }
    saved = db.call(
        record_score,
        period=chosen,
        given=ScoreInput(unit=unit, points=points, assessed_on=assessed_on, note=note),
        today=local_today(settings().tz),
        by=operator(),
    )
    lang = language()
    typer.echo(
        t(
            lang,
            "assessment.scored",
            period=chosen.code,
            unit=saved.unit.name_in(lang),
            total=saved.total,
            grade=t(lang, f"assessment.grade.{grade_for(saved.total)}"),
        )
    )


@assessment_app.command("import")
@cli_command
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: unit,basic,delivery,capacity,evaluation,innovation[,assessed_on,note]"
        ),
    ],
    period: Period,
) -> None:
    """Import every unit's scores from a CSV: all rows or none."""
    chosen = parse_period(period, kinds=ASSESSED)
    text = read_text_file(file).text
    saved = database().call(
        import_scores,
        period=chosen,
        text=text,
        today=local_today(settings().tz),
        by=operator(),
    )
    typer.echo(t(language(), "assessment.imported", period=chosen.code, count=len(saved)))


@assessment_app.command("follow-up")
@cli_command
def follow_up(
    period: Period,
    unit: Annotated[str, typer.Option(help="unit code or name")],
    text: Annotated[str, typer.Option(help="考核結果處理情形")],
) -> None:
    """Record what was done with a unit's result (shown in the remarks)."""
    chosen = parse_period(period, kinds=ASSESSED)
    lang = language()
    found = database().call(
        record_follow_up, period=chosen, unit_text=unit, text=text, by=operator()
    )
    typer.echo(t(lang, "assessment.followed", period=chosen.code, unit=found.name_in(lang)))


@assessment_app.command("publish")
@cli_command
def publish_(period: Period) -> None:
    """Publish the period (refused while a unit is unscored); its scores are locked."""
    chosen = parse_period(period, kinds=ASSESSED)
    lang = language()
    database().call(publish, period=chosen, by=operator(), language=lang)
    typer.echo(t(lang, "assessment.published", period=chosen.code))


@assessment_app.command("report")
@cli_command
def report(
    period: Period,
    out: Annotated[Path, typer.Option(help="directory for the HTML and CSV")],
    lang: LangOption = None,
    western: WesternOption = False,
) -> None:
    """Write DIR/self-assessment-PERIOD.html and .csv (附表2)."""
    chosen = parse_period(period, kinds=ASSESSED)
    chosen_lang = report_language(lang)
    folder = writable_folder(out)
    table = database().call(
        report_module.build_report, period=chosen, language=chosen_lang, western=western
    )
    for path in report_module.write_report(table, folder):
        typer.echo(t(chosen_lang, "assessment.written", path=str(path)))


@assessment_app.command("evidence")
@cli_command
def evidence(
    period: Period,
    out: Annotated[Path, typer.Option(help="directory for the HTML and CSV")],
    lang: LangOption = None,
    western: WesternOption = False,
) -> None:
    """Write DIR/evidence-PERIOD.html and .csv: each unit's figures per dimension."""
    chosen = parse_period(period, kinds=ASSESSED)
    chosen_lang = report_language(lang)
    folder = writable_folder(out)
    config = settings()
    built = database().call(
        evidence_module.build_evidence,
        period=chosen,
        language=chosen_lang,
        today=local_today(config.tz),
        pass_mark=config.courtesy_pass_mark,
        tz=config.tz,
        western=western,
    )
    for path in evidence_module.write_evidence(built, folder):
        typer.echo(t(chosen_lang, "assessment.written", path=str(path)))
