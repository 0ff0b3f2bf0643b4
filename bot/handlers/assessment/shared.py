"""What the self-assessment's chat steps share: the buttons' prefix, the wait for a typed
answer, a button's period, the unit picker and the one-sentence refusal (audited)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.assessment.scoring import DIMENSIONS, State
from bot.edge import waiting
from bot.edge.access import audit_refused
from bot.edge.callbacks import ButtonData, StaleButton, answer_stale
from bot.edge.context import BotContext
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import ASSESSED, Period, parse_period
from kernel.reporting import use_roc

PREFIX = "asm"
"""asm:up|pick|pub:<period>, asm:pick:<period>:s|f, asm:u:<period>:s|f:<unit id>,
asm:save|drop|pubok|pubno:<token>."""
WAIT = "assessment"
"""The wait's key: payload {"step", "period", "unit", …} (steps below)."""
WAIT_MINUTES = 30
SCORE, FOLLOW, SAVE, PUBLISH = "score", "follow", "save", "publish"
"""Waiting for the five numbers, for a follow-up's text; a score preview's or a publication's
buttons pending."""
SCORING, FOLLOWING = "s", "f"
"""What a unit picked is for."""
PER_ROW = 3


def by(update: Update) -> str:
    """Who acted, as score, follow-up and publication rows record it."""
    assert update.effective_user is not None
    return f"telegram:{update.effective_user.id}"


def actor(update: Update) -> int:
    """Who acted, as the audit row names them."""
    assert update.effective_user is not None
    return update.effective_user.id


def button_period(code: str) -> Period:
    """The period a button carries; a forged one is a stale button."""
    try:
        return parse_period(code, kinds=ASSESSED)
    except UserError:
        raise StaleButton(f"not an assessed period: {code[:16]!r}") from None


def period_label(period: Period, lang: str) -> str:
    return period.label(lang, roc=use_roc(lang))


def dimension_list(lang: str) -> str:
    """基礎服務（200）、服務遞送（300）… in 附表1's order."""
    separator = "、" if lang == "zh-TW" else ", "
    return separator.join(
        t(lang, "assessment.chat_dimension", name=dimension_name(lang, d.key), maximum=d.maximum)
        for d in DIMENSIONS
    )


def dimension_name(lang: str, key: str) -> str:
    return t(lang, f"assessment.dimension.{key}")


def unit_keyboard(state: State, lang: str, purpose: str) -> InlineKeyboardMarkup:
    """Every unit, ✅ on the scored ones, three a row."""
    buttons = [
        InlineKeyboardButton(
            unit.name_in(lang) + (" ✅" if unit.id in state.scores else ""),
            callback_data=f"{PREFIX}:u:{state.period.code}:{purpose}:{unit.id}",
        )
        for unit in state.units
    ]
    return InlineKeyboardMarkup(
        [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    )


def said(error: UserError, lang: str) -> str:
    """A domain's refusal as one sentence, a dimension named as 附表1 names it."""
    values = dict(error.values)
    if isinstance(values.get("dimension"), str):
        values["dimension"] = dimension_name(lang, values["dimension"])
    return t(lang, error.key, **values)


async def refused(
    update: Update, context: BotContext, error: UserError, *, action: str, target: str
) -> None:
    """Answer a refused step with one sentence and keep it in the audit log."""
    await audit_refused(update, context, action=action, target=target, detail=error.key)
    query = update.callback_query
    if query is not None:
        await query.answer()
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, said(error, context.lang))


async def stale(update: Update, context: BotContext, why: str) -> None:
    """A button of a preview or confirmation no longer open: answered once as stale, audited."""
    query = update.callback_query
    assert query is not None
    await audit_refused(update, context, action="assessment.stale", detail=query.data)
    await answer_stale(update, context, why)


def confirm_keyboard(
    lang: str, ok_key: str, verbs: tuple[str, str], token: str
) -> InlineKeyboardMarkup:
    """A preview's or a confirmation's two buttons: go ahead (`ok_key`), 「取消」."""
    go, drop = verbs
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, ok_key), callback_data=f"{PREFIX}:{go}:{token}"),
                InlineKeyboardButton(
                    t(lang, "assessment.button_cancel"), callback_data=f"{PREFIX}:{drop}:{token}"
                ),
            ]
        ]
    )


def take_step(context: BotContext, data: ButtonData, step: str) -> waiting.Wait | None:
    """The open `step` whose token the button carries, closed now that it is pressed; None
    when the button is of another preview or confirmation (stale)."""
    assert context.user_data is not None
    found = waiting.read_wait(context.user_data, WAIT)
    if (
        not isinstance(found, waiting.Wait)
        or found.payload.get("step") != step
        or found.payload.get("token") != data.text(1)
    ):
        return None
    waiting.close_wait(context.user_data, WAIT)
    return found
