"""/summary [YYYY-MM] [roc], /summary 2027-H1 or 2027: the month's summary or the period's
analysis as text with its HTML, CSV and PNG files."""

from __future__ import annotations

from functools import partial

from telegram import Update

from bot.assessment.overview import looks_like_period, summarise_period
from bot.cases.period_report import period_text
from bot.cases.period_report import write_report as write_period_report
from bot.cases.summary import summarise_month
from bot.cases.summary_report import summary_text, write_report
from bot.edge.access import SECRETARIAT, requires
from bot.edge.context import BotContext
from bot.edge.files import send_report_files
from bot.handlers.cases.shared import local_today
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import last_complete_month, parse_past_month


@requires(*SECRETARIAT)
async def summary(update: Update, context: BotContext) -> None:
    """/summary [YYYY-MM] [roc]: a short text and the HTML, CSV and PNG files."""
    assert update.effective_message is not None and update.effective_chat is not None
    assert context.person is not None
    lang = context.lang
    today = local_today(context)
    args = [a for a in context.args or [] if a.lower() != "roc"]
    roc = len(args) != len(context.args or [])
    if args and looks_like_period(args[0]):
        await _period_summary(update, context, args[0], roc=roc)
        return
    if args:
        try:
            year, month = parse_past_month(args[0], today=today).year_month
        except UserError as exc:
            await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
            return
    else:
        year, month = last_complete_month(today).year_month
    built = await context.services.db.run(
        summarise_month,
        actor_telegram_id=context.person.telegram_id,
        year=year,
        month=month,
        today=today,
        language=lang,
        counting=context.services.settings.case_day_counting,
        tz=context.services.tz,
    )
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(write_report, built, language=lang, roc=roc),
        prefix="bsmi-summary-",
        text=summary_text(built, lang, roc=roc),
    )


async def _period_summary(update: Update, context: BotContext, text: str, *, roc: bool) -> None:
    """/summary 2027-H1 or /summary 2027: the half-year's or year's analysis with its files."""
    assert update.effective_message is not None and update.effective_chat is not None
    assert context.person is not None
    lang = context.lang
    try:
        built = await context.services.db.run(
            summarise_period,
            text=text,
            today=local_today(context),
            language=lang,
            by=context.person.telegram_id,
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
        return
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(write_period_report, built, language=lang, roc=roc),
        prefix="bsmi-summary-",
        text=period_text(built, lang, roc=roc or lang == "zh-TW"),
    )
