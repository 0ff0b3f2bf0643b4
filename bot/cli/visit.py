"""`bsmi-desk visit add | need | answer | list`: visits to firms and the needs they raise, from
the terminal. The same use cases as `/visit` and `/needs` in chat (`bot.visits`)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import cli_command, database, language, settings
from bot.cli.target import operator
from bot.visits.listing import VisitList, build_visit_list
from bot.visits.recording import VisitDraft, answer_need, record_need, record_visit
from kernel.cleaning import one_line
from kernel.clock import today as local_today
from kernel.periods import parse_period
from kernel.reporting import format_day, plain
from storage.models import FirmNeed

visit_app: typer.Typer = typer.Typer(
    help="Visits to firms (企業關懷, 赴廠訪視) and the needs firms raise.", no_args_is_help=True
)

On = Annotated[str | None, typer.Option(help="the day, 2027-03-12 or 116/03/12 (default today)")]
Unit = Annotated[str, typer.Option(help="unit code or name, e.g. sec1 or 第一課")]
TaxId = Annotated[str, typer.Option(help="the firm's 統一編號 (a leading # is fine)")]
Firm = Annotated[str | None, typer.Option(help="the firm's name")]
SHOWN = 100
"""Characters of a need's text a list line shows."""


@visit_app.command("add")
@cli_command
def add(
    on: On = None,
    unit: Unit = "",
    tax_id: TaxId = "",
    firm: Firm = None,
    kind: Annotated[str, typer.Option(help="care (企業關懷) or factory (赴廠訪視)")] = "care",
    need: Annotated[list[str] | None, typer.Option(help="a need the firm raised (repeat)")] = None,
) -> None:
    """Record a visit and the needs the firm raised."""
    recorded = database().call(
        record_visit,
        draft=VisitDraft(on=on, unit=unit, tax_id=tax_id, firm=firm, kind=kind, needs=need or []),
        today=local_today(settings().tz),
        answer_days=settings().need_answer_days,
        by=operator(),
        actor_telegram_id=None,
    )
    lang = language()
    roc = lang == "zh-TW"
    typer.echo(
        plain(
            lang,
            "visits.recorded",
            visit_id=recorded.visit.id,
            unit=recorded.unit.name_in(lang),
            tax_id=recorded.visit.tax_id,
            count=len(recorded.needs),
        )
    )
    for each in recorded.needs:
        typer.echo(
            plain(
                lang,
                "visits.need_recorded",
                need_id=each.id,
                due=format_day(each.due_on, lang, roc=roc),
            )
        )


@visit_app.command("need")
@cli_command
def need(
    tax_id: TaxId,
    text: Annotated[str, typer.Option(help="what the firm needs")],
    unit: Unit,
    channel: Annotated[str, typer.Option(help="phone, email or visit")] = "phone",
    on: On = None,
    firm: Firm = None,
) -> None:
    """Record a need that came by phone or e-mail, without a visit."""
    saved = database().call(
        record_need,
        unit=unit,
        tax_id=tax_id,
        channel=channel,
        text=text,
        on=on,
        firm=firm,
        today=local_today(settings().tz),
        answer_days=settings().need_answer_days,
        by=operator(),
        actor_telegram_id=None,
    )
    lang = language()
    typer.echo(
        plain(
            lang,
            "visits.need_recorded",
            need_id=saved.id,
            due=format_day(saved.due_on, lang, roc=lang == "zh-TW"),
        )
    )


@visit_app.command("answer")
@cli_command
def answer(
    need_id: Annotated[int, typer.Argument(help="the need's number")],
    text: Annotated[str, typer.Option(help="the answer given to the firm")],
    on: On = None,
) -> None:
    """Answer a need (on time when on or before its deadline)."""
    saved = database().call(
        answer_need,
        need_id=need_id,
        text=text,
        on=on,
        today=local_today(settings().tz),
        by=operator(),
        actor_telegram_id=None,
    )
    lang = language()
    state = "on_time" if saved.answered_on and saved.answered_on <= saved.due_on else "late"
    typer.echo(
        plain(
            lang,
            "visits.answered",
            need_id=saved.id,
            state=plain(lang, f"visits.state.{state}"),
        )
    )


def _need_line(listing: VisitList, each: FirmNeed, lang: str) -> str:
    roc = lang == "zh-TW"
    state = listing.state(each)
    text = one_line(each.text)
    return plain(
        lang,
        "visits.list_need",
        need_id=each.id,
        channel=plain(lang, f"visits.channel.{each.channel}"),
        due=format_day(each.due_on, lang, roc=roc),
        state=plain(lang, f"visits.state.{state.value}"),
        answered=format_day(each.answered_on, lang, roc=roc) if each.answered_on else "—",
        text=text if len(text) <= SHOWN else text[: SHOWN - 1] + "…",
    )


def list_lines(listing: VisitList, lang: str) -> list[str]:
    """The period's visits with their needs, the needs without a visit, then each unit's
    figures (every unit, zeros included)."""
    roc = lang == "zh-TW"
    lines = [plain(lang, "visits.list_title", period=listing.period.label(lang, roc=roc))]
    if not listing.visits and not listing.lone:
        lines.append(plain(lang, "visits.list_empty"))
    for line in listing.visits:
        v = line.visit
        lines.append(
            plain(
                lang,
                "visits.list_visit",
                visit_id=v.id,
                day=format_day(v.visited_on, lang, roc=roc),
                unit=listing.units[v.unit_id].name_in(lang),
                kind=plain(lang, f"visits.kind.{v.kind}"),
                tax_id=v.tax_id,
                firm=v.firm_name or "",
            )
        )
        lines += ["  " + _need_line(listing, n, lang) for n in line.needs]
    if listing.lone:
        lines.append(plain(lang, "visits.list_lone"))
        lines += ["  " + _need_line(listing, n, lang) for n in listing.lone]
    lines.append(plain(lang, "visits.list_units"))
    for unit in listing.roster:
        c = listing.counts_of(unit.id)
        lines.append(
            plain(
                lang,
                "visits.list_unit",
                unit=unit.name_in(lang),
                visits=c.visits,
                firms=c.firms,
                needs=c.needs,
                answered=c.answered,
                on_time=c.on_time,
                late=c.late,
                open=c.open,
                overdue=c.overdue,
            )
        )
    return lines


@visit_app.command("list")
@cli_command
def list_(
    period: Annotated[str, typer.Option(help="2027-03, 2027-H1, 2027-H2 or 2027")],
) -> None:
    """A period's visits, each need's deadline and state, and the figures per unit."""
    chosen = parse_period(period)
    listing = database().call(build_visit_list, period=chosen, today=local_today(settings().tz))
    for line in list_lines(listing, language()):
        typer.echo(line)
