"""「評分單位」 and 「處理情形」 under /assessment, for the secretariat: a unit picked by button,
then its five scores typed in one message (`180 250 170 160 80` or `基礎服務=180 …`), checked
by the domain against 附表1's maxima and shown back with the total and grade before
「儲存」/「取消」; or its 考核結果處理情形 typed in one message. The same use cases as
`assessment score` and `assessment follow-up`."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from telegram import Update

from bot.assessment.scoring import (
    DIMENSIONS,
    TOTAL,
    Recorded,
    ScoreInput,
    check_score,
    follow_up,
    grade_for,
    period_state,
    record_score,
)
from bot.edge import waiting
from bot.edge.access import SECRETARIAT_ONLY, requires
from bot.edge.callbacks import StaleButton, parse
from bot.edge.context import BotContext
from bot.handlers.assessment.shared import (
    FOLLOW,
    FOLLOWING,
    PREFIX,
    SAVE,
    SCORE,
    SCORING,
    WAIT,
    WAIT_MINUTES,
    actor,
    button_period,
    by,
    confirm_keyboard,
    dimension_list,
    dimension_name,
    period_label,
    refused,
    stale,
    take_step,
    unit_keyboard,
)
from kernel.clock import today
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import Period

_NAMED = re.compile(r"\s*[=＝:：]\s*")
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def typed_points(text: str) -> dict[str, str]:
    """Five scores as typed, in 附表1's order or named (`基礎服務=180` or `basic=180`), each
    kept as text for the domain to check; UserError when they are not exactly the five."""
    tokens = [x for x in _SEPARATORS.split(_NAMED.sub("=", text.strip())) if x]
    if not any("=" in token for token in tokens):
        if len(tokens) != len(DIMENSIONS):
            raise UserError("assessment.chat_five", count=len(tokens))
        return {d.key: token for d, token in zip(DIMENSIONS, tokens, strict=True)}
    names = {
        name.casefold(): d.key
        for d in DIMENSIONS
        for name in (d.key, dimension_name("zh-TW", d.key))
    }
    points: dict[str, str] = {}
    for token in tokens:
        name, _, value = token.partition("=")
        key = names.get(name.casefold())
        if key is None:
            raise UserError("assessment.chat_unknown_dimension", name=name[:16])
        if key in points:
            raise UserError("assessment.chat_five", count=len(tokens))
        points[key] = value
    if len(points) != len(DIMENSIONS):
        raise UserError("assessment.chat_five", count=len(points))
    return points


def preview_text(checked: Recorded, period: Period, lang: str) -> str:
    score = checked.score
    lines = [
        t(
            lang,
            "assessment.chat_preview",
            period=period_label(period, lang),
            unit=checked.unit.name_in(lang),
        )
    ]
    lines += [
        t(
            lang,
            "assessment.chat_points",
            dimension=dimension_name(lang, d.key),
            points=getattr(score, d.key),
            maximum=d.maximum,
        )
        for d in DIMENSIONS
    ]
    lines.append(
        t(
            lang,
            "assessment.chat_total",
            total=checked.total,
            maximum=TOTAL,
            grade=t(lang, f"assessment.grade.{grade_for(checked.total)}"),
        )
    )
    lines.append(t(lang, "assessment.chat_save"))
    return "\n".join(lines)


@requires(*SECRETARIAT_ONLY)
async def pick(update: Update, context: BotContext) -> None:
    """「評分單位」 or 「處理情形」: the units as buttons (scoring refused once published)."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    data = parse(query.data, (PREFIX,))
    period, purpose = button_period(data.text(1)), data.text(2)
    if purpose not in (SCORING, FOLLOWING):
        raise StaleButton(f"no purpose {purpose!r}")
    lang = context.lang
    state = await context.services.db.run_read(period_state, period=period)
    if purpose == SCORING and state.published_on is not None:
        locked = UserError("assessment.locked", period=period_label(period, lang))
        await refused(update, context, locked, action="assessment.score", target=period.code)
        return
    await query.answer()
    key = "assessment.chat_pick_score" if purpose == SCORING else "assessment.chat_pick_follow_up"
    await context.bot.send_message(
        update.effective_chat.id,
        t(lang, key, period=period_label(period, lang)),
        reply_markup=unit_keyboard(state, lang, purpose),
    )


@requires(*SECRETARIAT_ONLY)
async def unit_chosen(update: Update, context: BotContext) -> None:
    """A unit picked: ask for its five scores or its follow-up, one message."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    assert update.effective_chat is not None
    data = parse(query.data, (PREFIX,))
    period, purpose, unit_id = button_period(data.text(1)), data.text(2), data.integer(3)
    lang = context.lang
    state = await context.services.db.run_read(period_state, period=period)
    unit = next((u for u in state.units if u.id == unit_id), None)
    if unit is None or purpose not in (SCORING, FOLLOWING):
        await stale(update, context, "assessment: no such unit")
        return
    if purpose == SCORING and state.published_on is not None:
        locked = UserError("assessment.locked", period=period_label(period, lang))
        await refused(update, context, locked, action="assessment.score", target=period.code)
        return
    await query.answer()
    step = SCORE if purpose == SCORING else FOLLOW
    waiting.open_wait(
        context.user_data,
        WAIT,
        {"step": step, "period": period.code, "unit": unit.code},
        minutes=WAIT_MINUTES,
    )
    shown = {"period": period_label(period, lang), "unit": unit.name_in(lang)}
    if step == SCORE:
        text = t(lang, "assessment.chat_ask_points", dimensions=dimension_list(lang), **shown)
    else:
        text = t(lang, "assessment.chat_ask_follow_up", **shown)
    await context.bot.send_message(update.effective_chat.id, text)


@requires(*SECRETARIAT_ONLY)
async def typed(update: Update, context: BotContext) -> None:
    """The text a step waits for: five scores (previewed), a follow-up (recorded); while a
    preview's or a publication's buttons are pending, a pointer to them."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    lang = context.lang
    found = waiting.read_wait(context.user_data, WAIT)
    if not isinstance(found, waiting.Wait):
        waiting.close_wait(context.user_data, WAIT)
        await message.reply_text(waiting.lapsed_text(lang))
        return
    payload = found.payload
    step, unit = payload.get("step"), str(payload.get("unit"))
    try:
        period = button_period(str(payload.get("period")))
    except StaleButton:
        waiting.close_wait(context.user_data, WAIT)
        await message.reply_text(waiting.lapsed_text(lang))
        return
    if step == SCORE:
        await _preview(update, context, period, unit)
    elif step == FOLLOW:
        await _follow_up(update, context, period, unit)
    else:
        await message.reply_text(t(lang, "assessment.chat_use_buttons"))


async def _preview(update: Update, context: BotContext, period: Period, unit: str) -> None:
    """Check the typed scores as the domain would save them; show them with 「儲存」/「取消」.
    A malformed message is one sentence, audited, and the wait stays for another try."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    lang = context.lang
    checked = await _scores(update, context, check_score, period, unit, message.text)
    if checked is None:
        return
    token = secrets.token_hex(4)
    waiting.open_wait(
        context.user_data,
        WAIT,
        {
            "step": SAVE,
            "period": period.code,
            "unit": unit,
            "points": " ".join(str(getattr(checked.score, d.key)) for d in DIMENSIONS),
            "token": token,
        },
        minutes=WAIT_MINUTES,
    )
    await message.reply_text(
        preview_text(checked, period, lang),
        reply_markup=confirm_keyboard(lang, "assessment.button_save", ("save", "drop"), token),
    )


async def _scores(
    update: Update,
    context: BotContext,
    use_case: Callable[..., Recorded],
    period: Period,
    unit: str,
    points: str | dict[str, str],
) -> Recorded | None:
    """`check_score` (reads) or `record_score` on the scores typed (a message's text) or
    previewed; a refusal is one sentence, audited, and None."""
    services = context.services
    run = services.db.run_read if use_case is check_score else services.db.run
    try:
        given = ScoreInput(
            unit=unit, points=typed_points(points) if isinstance(points, str) else points
        )
        who = {"actor_telegram_id": actor(update)} if use_case is record_score else {}
        return await run(
            use_case, period=period, given=given, today=today(services.tz), by=by(update), **who
        )
    except UserError as error:
        await refused(
            update, context, error, action="assessment.score", target=f"{period.code}:{unit}"
        )
        return None


async def _follow_up(update: Update, context: BotContext, period: Period, unit: str) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    lang = context.lang
    try:
        found = await context.services.db.run(
            follow_up,
            period=period,
            unit_text=unit,
            text=message.text,
            by=by(update),
            actor_telegram_id=actor(update),
        )
    except UserError as error:
        await refused(
            update, context, error, action="assessment.follow_up", target=f"{period.code}:{unit}"
        )
        return
    waiting.close_wait(context.user_data, WAIT)
    await message.reply_text(
        t(
            lang,
            "assessment.followed",
            period=period_label(period, lang),
            unit=found.name_in(lang),
        )
    )


@requires(*SECRETARIAT_ONLY)
async def save_pressed(update: Update, context: BotContext) -> None:
    """「儲存」 records the previewed scores (checked again, refused once published);
    「取消」 drops them. A button of any other preview is stale."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    assert update.effective_chat is not None
    data = parse(query.data, (PREFIX,))
    found = take_step(context, data, SAVE)
    if found is None:
        await stale(update, context, "assessment: not the open score preview")
        return
    lang = context.lang
    payload = found.payload
    unit = str(payload.get("unit"))
    period = button_period(str(payload.get("period")))
    if data.verb == "drop":
        await query.answer()
        await query.edit_message_text(t(lang, "assessment.chat_score_cancelled"))
        return
    numbers = str(payload.get("points")).split()
    points = {d.key: value for d, value in zip(DIMENSIONS, numbers, strict=False)}
    saved = await _scores(update, context, record_score, period, unit, points)
    if saved is None:
        await query.edit_message_reply_markup(None)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            lang,
            "assessment.scored",
            period=period_label(period, lang),
            unit=saved.unit.name_in(lang),
            total=saved.total,
            grade=t(lang, f"assessment.grade.{grade_for(saved.total)}"),
        ),
    )


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel while a score, a follow-up or a publication is pending: nothing changes."""
    assert update.effective_message is not None and context.user_data is not None
    waiting.close_wait(context.user_data, WAIT)
    await update.effective_message.reply_text(t(context.lang, "assessment.chat_cancelled"))
