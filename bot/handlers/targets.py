"""/targets for the secretariat and admins: this year's and next year's targets, each figure
with its source (who set it and when, or the plan's default); `/targets 2027 public=350
monitor=250 courtesy=80` sets any of them through `target set`'s use case. Every figure the
domain names (`bot.assessment.targets.NAMES`) is shown and may be set."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler

from bot.assessment.overview import YearTargets, open_targets
from bot.assessment.targets import NAMES, set_targets
from bot.edge.access import SECRETARIAT, audit_refused, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.features import Command, Feature
from kernel.clock import today
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import Period
from kernel.reporting import format_day, use_roc

YEAR_DIGITS = 4


def _year(year: int, lang: str) -> str:
    """The year as staff read it: 116 年度（2027） in Chinese (ROC, like every date, with the
    year `/targets 2027` takes beside it), 2027 in English."""
    if lang == "zh-TW":
        return f"{Period(year).label(lang, roc=True)}（{year}）"
    return str(year)


def year_text(found: YearTargets, lang: str, tz: ZoneInfo) -> str:
    """One year's figures, each marked when it is the plan's, and who set the year when."""
    targets = found.targets
    lines = [t(lang, "targets.chat_year", label=_year(targets.year, lang))]
    marker = t(lang, "targets.plan_marker")
    for name in NAMES:
        lines.append(
            t(
                lang,
                "targets.chat_figure",
                label=t(lang, f"targets.name_{name}"),
                name=name,
                value=getattr(targets, name),
                plan=marker if name in targets.defaulted else "",
            )
        )
    if found.set_at is None or found.set_by is None:
        lines.append(t(lang, "targets.chat_source_plan"))
    else:
        day = format_day(found.set_at.astimezone(tz).date(), lang, roc=use_roc(lang))
        lines.append(t(lang, "targets.chat_source", by=found.set_by, day=day))
    return "\n".join(lines)


def parse_figures(args: list[str]) -> tuple[int, dict[str, int | None]]:
    """`2027 public=350 monitor=250`: the year and the figures named; UserError, one sentence,
    for a bad year, an unknown name or a figure that is not a whole number."""
    if not args or "=" in args[0]:
        raise UserError("targets.chat_usage")
    if not (args[0].isascii() and args[0].isdigit() and len(args[0]) == YEAR_DIGITS):
        raise UserError("targets.bad_year", year=args[0][:12])
    figures: dict[str, int | None] = {}
    for arg in args[1:]:
        name, equals, value = arg.partition("=")
        name = name.strip().lower()
        if not equals or name not in NAMES:
            raise UserError("targets.chat_unknown", name=name[:16], names=", ".join(NAMES))
        if not (value.isascii() and value.isdigit()):
            raise UserError("targets.chat_not_number", name=name, value=value[:12])
        figures[name] = int(value)
    if not figures:
        raise UserError("targets.chat_usage")
    return int(args[0]), figures


@requires(*SECRETARIAT)
async def targets(update: Update, context: BotContext) -> None:
    """/targets shows this year's and next year's targets; /targets 2027 public=350 … sets."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    lang = context.lang
    services = context.services
    args = list(context.args or [])
    year = today(services.tz).year
    years = [year, year + 1]
    header = None
    if args:
        try:
            chosen, figures = parse_figures(args)
            await services.db.run(
                set_targets,
                year=chosen,
                figures=figures,
                by=f"telegram:{update.effective_user.id}",
            )
        except UserError as error:
            await audit_refused(update, context, action="target.set", detail=error.key)
            await message.reply_text(t(lang, error.key, **error.values))
            return
        years = [chosen]
        header = t(lang, "targets.chat_saved", label=_year(chosen, lang))
    shown = await services.db.run_read(open_targets, years=years)
    blocks = [year_text(found, lang, services.tz) for found in shown]
    if header is None:
        header = t(lang, "targets.chat_title")
        blocks.append(t(lang, "targets.chat_how"))
    await message.reply_text("\n\n".join([header, *blocks]))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("targets", targets))


FEATURE = Feature(
    name="targets",
    register=register,
    commands=(Command("targets", SECRETARIAT),),
)
