"""「公布」 under /assessment, for the secretariat: refused naming the unscored units, otherwise
a confirmation naming the period and that its scores lock, then `assessment publish`'s use
case."""

from __future__ import annotations

import secrets

from telegram import Update

from bot.assessment.scoring import check_publish, publish
from bot.edge import waiting
from bot.edge.access import SECRETARIAT_ONLY, requires
from bot.edge.callbacks import parse
from bot.edge.context import BotContext
from bot.handlers.assessment.shared import (
    PREFIX,
    PUBLISH,
    WAIT,
    WAIT_MINUTES,
    actor,
    button_period,
    by,
    confirm_keyboard,
    period_label,
    refused,
    stale,
    take_step,
)
from kernel.errors import UserError
from kernel.i18n import t


@requires(*SECRETARIAT_ONLY)
async def publish_asked(update: Update, context: BotContext) -> None:
    """「公布」: the confirmation, or why the period cannot be published (audited)."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    assert update.effective_chat is not None
    period = button_period(parse(query.data, (PREFIX,)).text(1))
    lang = context.lang
    try:
        state = await context.services.db.run_read(check_publish, period=period, language=lang)
    except UserError as error:
        await refused(update, context, error, action="assessment.publish", target=period.code)
        return
    await query.answer()
    token = secrets.token_hex(4)
    waiting.open_wait(
        context.user_data,
        WAIT,
        {"step": PUBLISH, "period": period.code, "token": token},
        minutes=WAIT_MINUTES,
    )
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            lang,
            "assessment.chat_publish_confirm",
            period=period_label(period, lang),
            units=len(state.units),
        ),
        reply_markup=confirm_keyboard(
            lang, "assessment.button_publish_confirm", ("pubok", "pubno"), token
        ),
    )


@requires(*SECRETARIAT_ONLY)
async def publish_pressed(update: Update, context: BotContext) -> None:
    """「確定公布」 publishes and locks the period; 「取消」 leaves it. Any other
    confirmation's button is stale."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    assert update.effective_chat is not None
    data = parse(query.data, (PREFIX,))
    found = take_step(context, data, PUBLISH)
    if found is None:
        await stale(update, context, "assessment: not the open publication")
        return
    period = button_period(str(found.payload.get("period")))
    lang = context.lang
    if data.verb == "pubno":
        await query.answer()
        await query.edit_message_text(
            t(lang, "assessment.chat_publish_cancelled", period=period_label(period, lang))
        )
        return
    try:
        await context.services.db.run(
            publish, period=period, by=by(update), language=lang, actor_telegram_id=actor(update)
        )
    except UserError as error:
        await refused(update, context, error, action="assessment.publish", target=period.code)
        await query.edit_message_reply_markup(None)
        return
    await query.answer()
    await query.edit_message_text(
        t(lang, "assessment.published", period=period_label(period, lang))
    )
