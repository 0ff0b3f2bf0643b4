"""/courtesy_plan 2027 [seed=N] [target=N]: the secretariat draws a year's plan in chat with
the draw `courtesy plan` makes (target and seed shown, counts per round and per unit), then
「儲存」 stores that very draw and attaches the schedule CSV, or 「取消」 drops it.

Between the preview and the button the person's user data keeps what was asked and the draw's
fingerprint (its inputs and calls), never the draw: 「儲存」 draws again from the same inputs and
stores it only when the fingerprint is the same, so a directory or target changed in between is
refused in one sentence. Each preview's buttons carry a token of their own; a button of a
cancelled, saved or replaced preview is stale.
"""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, requires
from bot.edge.callbacks import answer_stale, parse
from bot.edge.context import BotApplication, BotContext
from bot.handlers.courtesy.shared import MESSAGE_LIMIT, PREFIX, actor
from courtesy.schedule import PlanPreview, Refused, preview_plan, refuse_plan, save_plan
from kernel.errors import UserError
from kernel.i18n import t

WAIT = "courtesy_plan"
"""user_data's key: {"year", "seed", "target" (None: the year's), "fingerprint", "token"}."""
VERB = "pl"  # ct:pl:save:<token> stores the previewed draw, ct:pl:no:<token> drops it
CONFIRM_MINUTES = 60


def _shown(year: int, lang: str) -> int:
    """The year as a reader of `lang` reads it: 民國 in Chinese."""
    return year - 1911 if lang == "zh-TW" else year


def preview_text(preview: PlanPreview, lang: str) -> str:
    """The preview: year, target and its source, seed, counts per round and per unit."""
    shown = _shown(preview.year, lang)
    first, second, third = preview.rounds
    lines = [
        t(lang, "courtesy.plan_chat.header", shown=shown),
        t(
            lang,
            f"courtesy.plan_chat.target_{preview.target_source}",
            target=preview.target,
            shown=shown,
        ),
        t(lang, "courtesy.plan_chat.seed", seed=preview.seed),
        t(
            lang,
            "courtesy.plan_chat.rounds",
            first=first,
            second=second,
            third=third,
            calls=sum(preview.rounds),
            per_unit=preview.per_unit,
        ),
        t(lang, "courtesy.plan_chat.units_header"),
    ]
    tail = []
    if preview.replaces:
        tail.append(t(lang, "courtesy.plan_chat.replaces", shown=shown, calls=preview.replaces))
    if not preview.calendar_published:
        tail.append(t(lang, "courtesy.plan.calendar_note", year=preview.year))
    tail.append(t(lang, "courtesy.plan_chat.confirm"))
    room = MESSAGE_LIMIT - sum(len(line) + 1 for line in lines + tail) - 80
    for index, unit in enumerate(preview.units):
        line = t(lang, "courtesy.plan_chat.unit_line", unit=unit.name, **_per_round(unit.rounds))
        if len(line) + 1 > room:
            left = len(preview.units) - index
            lines.append(t(lang, "courtesy.plan_chat.units_more", count=left))
            break
        lines.append(line)
        room -= len(line) + 1
    return "\n".join(lines + tail)


def _per_round(rounds: tuple[int, ...]) -> dict[str, int]:
    return dict(zip(("first", "second", "third"), rounds, strict=True))


def confirm_keyboard(token: str, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "courtesy.plan_chat.save_button"),
                    callback_data=f"{PREFIX}:{VERB}:save:{token}",
                ),
                InlineKeyboardButton(
                    t(lang, "courtesy.plan_chat.cancel_button"),
                    callback_data=f"{PREFIX}:{VERB}:no:{token}",
                ),
            ]
        ]
    )


@requires(*SECRETARIAT)
async def plan_command(update: Update, context: BotContext) -> None:
    """/courtesy_plan 2027 [seed=N] [target=N]: the draw previewed with 「儲存」/「取消」."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    lang = context.lang
    drawn = await context.services.db.run(
        preview_plan, words=list(context.args or []), by=actor(update), language=lang
    )
    if isinstance(drawn, Refused):
        await message.reply_text(t(lang, drawn.error.key, **drawn.error.values))
        return
    token = secrets.token_hex(4)
    waiting.open_wait(
        context.user_data,
        WAIT,
        {
            "year": drawn.year,
            "seed": drawn.seed,
            "target": drawn.target if drawn.target_source == "given" else None,
            "fingerprint": drawn.fingerprint,
            "token": token,
        },
        minutes=CONFIRM_MINUTES,
    )
    await message.reply_text(preview_text(drawn, lang), reply_markup=confirm_keyboard(token, lang))


@requires(*SECRETARIAT)
async def plan_pressed(update: Update, context: BotContext) -> None:
    """「儲存」 stores the previewed draw and attaches the schedule CSV; 「取消」 drops it. A
    button of any other preview is stale (answered once, audited)."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    data = parse(query.data, (PREFIX,))
    verb, token = data.text(1), data.text(2)
    known = verb in ("save", "no")
    found = waiting.take_preview(context.user_data, WAIT, token) if known else None
    if found is None:
        await context.services.db.run(
            refuse_plan, error=UserError("buttons.stale"), by=actor(update)
        )
        await answer_stale(update, context, "courtesy plan: not the open preview")
        return
    await query.answer()
    lang = context.lang
    if verb == "no":
        await query.edit_message_text(t(lang, "courtesy.plan_chat.cancelled"))
        return
    await query.edit_message_reply_markup(None)
    payload = found.payload
    target = payload.get("target")
    saved = await context.services.db.run(
        save_plan,
        year=int(str(payload["year"])),
        seed=int(str(payload["seed"])),
        target=int(str(target)) if target is not None else None,
        fingerprint=str(payload["fingerprint"]),
        by=actor(update),
        language=lang,
    )
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    if isinstance(saved, Refused):
        await context.bot.send_message(chat_id, t(lang, saved.error.key, **saved.error.values))
        return
    shown = _shown(saved.year, lang)
    await context.bot.send_message(
        chat_id,
        t(lang, "courtesy.plan_chat.saved", shown=shown, calls=saved.calls, seed=saved.seed),
    )
    await context.bot.send_document(
        chat_id,
        ("\ufeff" + saved.csv).encode("utf-8"),
        filename=f"courtesy-schedule-{saved.year}.csv",
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("courtesy_plan", plan_command))
    app.add_handler(CallbackQueryHandler(plan_pressed, pattern=rf"^{PREFIX}:{VERB}:"))
