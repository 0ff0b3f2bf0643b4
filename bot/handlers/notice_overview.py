"""Staff: /notices, the progress of recent notices by channel (delivery paused, unknown
deliveries) and, for the secretariat, the certificates no chat can be told about and the
month's notices report with its files (buttons for this month and the last, or
`/notices report 2027-03`): the files `report notices --month` writes. Registered with the
/notice conversation by `notices.py`, the feature that declares both commands."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge.access import SECRETARIAT, STAFF, refuse, requires
from bot.edge.callbacks import answer_stale
from bot.edge.contact import public_day
from bot.edge.context import BotApplication, BotContext
from bot.edge.files import send_report_files
from bot.notices.overview import UNREACHABLE_DAYS, CertificateView, staff_overview
from bot.notices.report import NoticesReport, build_report, write_report
from bot.notices.status import NoticeStatus, Pause
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import last_complete_month, parse_past_month
from kernel.reporting import format_day, format_month, produced_now, use_roc

REPORT = "nrep"  # nrep:2027-03 sends that month's notices report
PRESSED = re.compile(rf"{REPORT}:([0-9]{{4}}-[0-9]{{2}})")

SHOWN_UNREACHABLE = 10
"""Certificates no chat can be told about, named one by one; past these, only the count."""


def status_line(status: NoticeStatus, lang: str) -> str:
    counts = status.counts
    return (
        t(
            lang,
            "notices.status_line",
            notice_id=status.notice_id,
            title=status.title,
            state=t(lang, f"notices.states.{status.state}"),
            total=status.total,
            sent=counts["sent"],
            pending=counts["pending"],
            retrying=counts["retrying"],
            blocked=counts["blocked"],
            failed=counts["failed"],
            percent=status.percent,
        )
        + (
            "\n" + t(lang, "delivery.unknown", count=status.counts["unknown"])
            if status.counts["unknown"]
            else ""
        )
        + (
            "\n" + t(lang, "notices.email_line", total=status.email_total, **status.email)
            if status.email_total
            else ""
        )
    )


def pause_line(paused: Pause, lang: str, tz: ZoneInfo) -> str:
    local = paused.since.astimezone(tz)
    since = f"{public_day(local.date(), lang)} {local:%H:%M}"
    key = "delivery.silent" if paused.silent else "delivery.paused"
    return "⚠️ " + t(lang, key, since=since, reason=paused.reason)


def _today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


def report_keyboard(today: date, lang: str) -> InlineKeyboardMarkup:
    """「本月報表」 and 「上月報表」: the notices report of this month and of the last."""
    last = last_complete_month(today)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "notice_reports.this_month"),
                    callback_data=f"{REPORT}:{today.year:04d}-{today.month:02d}",
                ),
                InlineKeyboardButton(
                    t(lang, "notice_reports.last_month"), callback_data=f"{REPORT}:{last.code}"
                ),
            ]
        ]
    )


def report_text(report: NoticesReport, lang: str) -> str:
    """The report's short chat reply: the month, notices and reminders sent and delivered."""
    notices, reminders = report.lines[0], report.lines[-1]
    return t(
        lang,
        "notice_reports.chat",
        month=format_month(report.year, report.month, lang, roc=use_roc(lang)),
        notices=notices.released,
        delivered=notices.delivered,
        recipients=notices.recipients,
        reminders=reminders.released,
        reminders_delivered=reminders.delivered,
        reminders_recipients=reminders.recipients,
    )


async def send_month_report(update: Update, context: BotContext, month: str | None) -> None:
    """The notices report of `month` (YYYY-MM; None: this month) as text with its files; a
    month written wrong or not begun is one sentence."""
    assert update.effective_chat is not None
    lang = context.lang
    today = _today(context)
    try:
        year, number = parse_past_month(month or f"{today:%Y-%m}", today=today).year_month
    except UserError as exc:
        await context.bot.send_message(
            update.effective_chat.id,
            t(lang, exc.key, **exc.values) + "\n" + t(lang, "notice_reports.usage"),
        )
        return
    built = await context.services.db.run_read(
        build_report, year=year, month=number, tz=context.services.tz, today=today
    )
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(write_report, built, language=lang, produced=produced_now()),
        prefix="bsmi-notices-",
        text=report_text(built, lang),
    )


@requires(*STAFF)
async def notices_list(update: Update, context: BotContext) -> None:
    """Whether delivery is paused, then recent notices with counts by status and progress;
    `/notices report [YYYY-MM]` is the month's report instead (secretariat)."""
    assert update.effective_message is not None and context.person is not None
    args = context.args or []
    secretariat = context.person.has_any(SECRETARIAT)
    if args and args[0].lower() == "report":
        if not secretariat:
            await refuse(update, context, "denied:notices_report")
            return
        await send_month_report(update, context, args[1] if len(args) > 1 else None)
        return
    found = await context.services.db.run(
        staff_overview,
        limit=10,
        with_unreachable=secretariat,
        today=_today(context),
    )
    overview = found.delivery
    lines = []
    if overview.paused is not None:
        lines.append(pause_line(overview.paused, context.lang, context.services.tz))
    if not overview.notices:
        lines.append(t(context.lang, "notices.none"))
    else:
        lines.append(t(context.lang, "notices.header"))
        lines += [status_line(s, context.lang) for s in overview.notices]
    if found.unknown:
        lines.append(t(context.lang, "outbox.notices_line", count=found.unknown))
    if found.unreachable:
        lines.append(unreachable_lines(found.unreachable, context.lang))
    await update.effective_message.reply_text(
        "\n\n".join(lines),
        reply_markup=report_keyboard(_today(context), context.lang) if secretariat else None,
    )


@requires(*SECRETARIAT)
async def report_pressed(update: Update, context: BotContext) -> None:
    """「本月報表」/「上月報表」: that month's notices report with its files."""
    query = update.callback_query
    assert query is not None
    pressed = PRESSED.fullmatch(query.data or "")
    if pressed is None:
        await answer_stale(update, context, "notices report: not a month")
        return
    await query.answer()
    await send_month_report(update, context, pressed.group(1))


def unreachable_lines(certificates: list[CertificateView], lang: str) -> str:
    """The secretariat's list of certificates no chat can be told about (the first few)."""
    roc = lang == "zh-TW"
    lines = [
        t(lang, "targeting.unreachable_header", within=UNREACHABLE_DAYS, count=len(certificates))
    ]
    lines += [
        t(
            lang,
            "registry.unreachable_line",
            expires=format_day(c.expires_on, lang, roc=roc),
            tax_id=c.tax_id,
            kind=c.kind_zh if roc else c.kind_en,
            number=c.number,
            product=c.product,
        )
        for c in certificates[:SHOWN_UNREACHABLE]
    ]
    if len(certificates) > SHOWN_UNREACHABLE:
        lines.append(
            t(
                lang,
                "targeting.unreachable_more",
                count=len(certificates) - SHOWN_UNREACHABLE,
                within=UNREACHABLE_DAYS,
            )
        )
    return "\n".join(lines)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("notices", notices_list))
    app.add_handler(CallbackQueryHandler(report_pressed, pattern=rf"^{REPORT}:"))
