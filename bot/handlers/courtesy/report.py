"""/courtesy_report [YEAR-ROUND]: the secretariat's round report in chat, with its files."""

from __future__ import annotations

from functools import partial

from telegram import Update
from telegram.ext import CommandHandler

from bot.edge.access import SECRETARIAT, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.files import send_report_files
from bot.handlers.courtesy.shared import actor, local_today
from courtesy import report_files, reports
from kernel.errors import UserError
from kernel.i18n import t


@requires(*SECRETARIAT)
async def round_report(update: Update, context: BotContext) -> None:
    """/courtesy_report [YEAR-ROUND]: the round report as text with HTML, CSV and PNG files."""
    assert update.effective_message is not None and update.effective_chat is not None
    lang = context.lang
    try:
        built = await context.services.db.run(
            reports.round_report_for,
            wanted=context.args[0] if context.args else None,
            language=lang,
            pass_mark=context.services.settings.courtesy_pass_mark,
            today=local_today(context),
            by=actor(update),
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
        return
    if built is None:
        await update.effective_message.reply_text(t(lang, "courtesy.report.usage"))
        return
    if built.has_results:
        text = t(
            lang,
            "courtesy.report.chat",
            title=built.title,
            scored=built.scored,
            calls=built.calls,
            average=f"{built.average:g}",
            pass_rate=f"{built.pass_rate:g}%",
            actions=len(built.actions),
            overdue=len(built.overdue),
        )
    else:
        text = t(lang, "courtesy.report.chat_empty", title=built.title, calls=built.calls)
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(report_files.write_report, built),
        prefix="bsmi-courtesy-",
        text=text,
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("courtesy_report", round_report))
