"""/assessment [2027-H1|2027] for the secretariat and admins: the period's state (units scored
of all, the publication deadline, who is missing) with the 附表2 table and the evidence for the
panel attached as files; under it, for the secretariat alone, 「上傳分數」 (how to send the CSV),
「評分單位」, 「處理情形」 and 「公布」 (scoring.py, publishing.py)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.assessment import evidence as evidence_files
from bot.assessment import report as report_files
from bot.assessment.overview import Overview, open_assessment
from bot.edge.access import SECRETARIAT, SECRETARIAT_ONLY, requires
from bot.edge.callbacks import parse
from bot.edge.context import BotContext
from bot.edge.files import send_report_files
from bot.handlers.assessment.shared import (
    FOLLOWING,
    PREFIX,
    SCORING,
    button_period,
    period_label,
)
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import Period
from kernel.reporting import format_day


def overview_text(overview: Overview, language: str) -> str:
    """The state of the period as a chat message (Telegram HTML, escaped by `t`)."""
    state = overview.state
    roc = language == "zh-TW"
    if state.published_on is not None:
        shown = t(
            language,
            "assessment.state_published",
            day=format_day(state.published_on, language, roc=roc),
        )
    else:
        shown = t(language, "assessment.state_draft")
    lines = [
        t(
            language,
            "assessment.chat",
            period=overview.period.label(language, roc=roc),
            state=shown,
            deadline=format_day(overview.period.deadline, language, roc=roc),
            left=max(0, overview.working_days_left),
            scored=state.scored,
            units=len(state.units),
        )
    ]
    if state.missing:
        separator = "、" if language == "zh-TW" else ", "
        names = separator.join(u.name_in(language) for u in state.missing)
        lines.append(t(language, "assessment.chat_missing", units=names))
    else:
        lines.append(t(language, "assessment.chat_complete"))
    lines.append(t(language, "assessment.chat_files"))
    return "\n".join(lines)


def actions_keyboard(period: Period, published: bool, lang: str) -> InlineKeyboardMarkup:
    """The secretariat's buttons under the overview; a published period keeps 「處理情形」."""
    code = period.code
    follow = InlineKeyboardButton(
        t(lang, "assessment.button_follow_up"), callback_data=f"{PREFIX}:pick:{code}:{FOLLOWING}"
    )
    if published:
        return InlineKeyboardMarkup([[follow]])
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "assessment.button_upload"), callback_data=f"{PREFIX}:up:{code}"
                ),
                InlineKeyboardButton(
                    t(lang, "assessment.button_score"),
                    callback_data=f"{PREFIX}:pick:{code}:{SCORING}",
                ),
            ],
            [
                follow,
                InlineKeyboardButton(
                    t(lang, "assessment.button_publish"), callback_data=f"{PREFIX}:pub:{code}"
                ),
            ],
        ]
    )


def _write(overview: Overview, folder: Path) -> list[Path]:
    paths = report_files.write_report(overview.table, folder)
    if overview.evidence is not None:
        paths += evidence_files.write_evidence(overview.evidence, folder)
    return paths


@requires(*SECRETARIAT)
async def assessment(update: Update, context: BotContext) -> None:
    """/assessment [period]: the period's state with the 附表2 and evidence files."""
    assert update.effective_message is not None and update.effective_chat is not None
    lang = context.lang
    services = context.services
    try:
        overview = await services.db.run(
            open_assessment,
            wanted=context.args[0] if context.args else None,
            today=utcnow().astimezone(services.tz).date(),
            language=lang,
            pass_mark=services.settings.courtesy_pass_mark,
            tz=services.tz,
            by=update.effective_user.id if update.effective_user else None,
        )
    except UserError as exc:
        await update.effective_message.reply_text(
            t(lang, exc.key, **exc.values) + "\n" + t(lang, "assessment.usage")
        )
        return
    person = context.person
    keyboard = None
    if person is not None and person.has_any(SECRETARIAT_ONLY):
        keyboard = actions_keyboard(overview.period, overview.state.published_on is not None, lang)
    await update.effective_message.reply_text(overview_text(overview, lang), reply_markup=keyboard)
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(_write, overview),
        prefix="bsmi-assessment-",
    )


@requires(*SECRETARIAT_ONLY)
async def upload_how(update: Update, context: BotContext) -> None:
    """「上傳分數」: how to send the period's scores CSV (the upload is /scores)."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    period = button_period(parse(query.data, (PREFIX,)).text(1))
    await query.answer()
    lang = context.lang
    await context.bot.send_message(
        update.effective_chat.id,
        t(lang, "assessment.upload_how", period=period_label(period, lang), code=period.code),
    )
