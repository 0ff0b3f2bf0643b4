"""「寄送」: categories ticked, or 「抽樣」 and a size with an optional seed typed, the recipient
count shown each time (the domain's `send_choice`, the draw `send_survey` makes), then
「確認寄送」.

The choice lives in the wait's payload (bot/edge/waiting.py), not in the buttons: the ticked
categories are kept as their codes, so any number of them fits (button data has 64 bytes), and
every change draws a new token that the message's buttons carry, so a button of an earlier
message, of a cancelled or sent choice, or of another person is stale.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update

from bot.edge import waiting
from bot.edge.callbacks import ButtonData, answer_stale
from bot.edge.context import BotContext
from bot.handlers.survey_admin.views import (
    WAIT,
    WAIT_MINUTES,
    alert,
    choice_values,
    confirm_row,
    edit,
    pick_view,
    show_survey,
)
from bot.surveys.admin import SendChoice, send_choice, send_survey
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t

SAMPLE_MOST = 100_000
SEED_MOST = 2**31 - 1
SAMPLE = re.compile(r"\s*(\d{1,6})(?:\s+(?:seed\s*[=:＝：]\s*)?(\d{1,10}))?\s*", re.IGNORECASE)
"""「5」, 「5 seed=42」 or 「5 42」."""
STEPS = ("pick", "sample", "confirm")
"""Ticking categories, typing a sample, confirming a sample."""


def parse_sample(text: str) -> tuple[int, int | None] | None:
    """「5 seed=42」 as (5, 42), 「5」 as (5, None); None when it is neither or out of range."""
    found = SAMPLE.fullmatch(text)
    if found is None:
        return None
    sample = int(found.group(1))
    seed = int(found.group(2)) if found.group(2) else None
    if not 1 <= sample <= SAMPLE_MOST or (seed is not None and seed > SEED_MOST):
        return None
    return sample, seed


def _number(payload: waiting.Payload, key: str) -> int | None:
    value = payload.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Pending:
    """A send being chosen, as the wait keeps it."""

    step: str
    survey_id: int
    codes: list[str]
    sample: int | None = None
    seed: int | None = None

    @classmethod
    def read(cls, payload: waiting.Payload) -> Pending | None:
        step, survey_id = payload.get("step"), _number(payload, "survey")
        if step not in STEPS or survey_id is None:
            return None
        codes = [c for c in str(payload.get("codes") or "").split(",") if c]
        return cls(
            str(step), survey_id, codes, _number(payload, "sample"), _number(payload, "seed")
        )


def keep(context: BotContext, choice: SendChoice, step: str, **sample: int) -> str:
    """Keep the send choice in the wait under a new token; the token."""
    assert context.user_data is not None
    token = secrets.token_hex(4)
    payload: dict[str, waiting.Value] = {
        "step": step,
        "survey": choice.survey_id,
        "codes": ",".join(choice.codes),
        "token": token,
        **sample,
    }
    waiting.open_wait(context.user_data, WAIT, payload, minutes=WAIT_MINUTES)
    return token


async def pending(
    update: Update, context: BotContext, data: ButtonData, *steps: str
) -> Pending | None:
    """The open send choice whose token the press carries, at one of `steps`; else the press
    is answered as stale and None."""
    assert context.user_data is not None
    found = waiting.read_wait(context.user_data, WAIT)
    if isinstance(found, waiting.Wait) and found.payload.get("token") == data.text(1):
        chosen = Pending.read(found.payload)
        if chosen is not None and chosen.step in steps:
            return chosen
    await answer_stale(update, context, "survey_admin: not the open send choice")
    return None


async def counted(
    update: Update,
    context: BotContext,
    survey_id: int,
    codes: list[str],
    *,
    sample: int | None = None,
    seed: int | None = None,
    toggle: int | None = None,
) -> SendChoice | None:
    """The send choice counted by the domain, or None when it refused, said in one sentence
    (a survey sent or closed meanwhile)."""
    try:
        return await context.services.db.run(
            send_choice,
            survey_id=survey_id,
            category_codes=codes,
            sample=sample,
            seed=seed,
            language=context.lang,
            toggle=toggle,
        )
    except UserError as error:
        if update.callback_query is not None:
            await alert(update, context, error)
        else:
            assert update.effective_message is not None
            await update.effective_message.reply_text(t(context.lang, error.key, **error.values))
        return None


async def _show_pick(update: Update, context: BotContext, choice: SendChoice | None) -> None:
    if choice is None:
        return
    token = keep(context, choice, "pick")
    assert update.callback_query is not None
    await update.callback_query.answer()
    await edit(update, pick_view(choice, token, context.lang))


async def start(update: Update, context: BotContext, data: ButtonData) -> None:
    """「寄送」: the categories to tick, every subscriber counted until one is ticked."""
    await _show_pick(update, context, await counted(update, context, data.integer(1), []))


async def toggle(update: Update, context: BotContext, data: ButtonData) -> None:
    """A category ticked or unticked: the count again."""
    chosen = await pending(update, context, data, "pick")
    if chosen is not None:
        choice = await counted(
            update, context, chosen.survey_id, chosen.codes, toggle=data.integer(2)
        )
        await _show_pick(update, context, choice)


async def ask_sample(update: Update, context: BotContext, data: ButtonData) -> None:
    """「抽樣」: the sample size (and a seed) is typed next, drawn from the ticked categories."""
    chosen = await pending(update, context, data, "pick")
    if chosen is None:
        return
    choice = await counted(update, context, chosen.survey_id, chosen.codes)
    if choice is None:
        return
    keep(context, choice, "sample")
    assert update.callback_query is not None
    await update.callback_query.answer()
    lang = context.lang
    text = t(lang, "survey_admin.ask_sample", **choice_values(choice, lang))
    await update.callback_query.edit_message_text(text)


async def sample_typed(update: Update, context: BotContext, chosen: Pending) -> None:
    """The sample size and seed: the count and 「確認寄送」, or one sentence (the wait stays)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    lang = context.lang
    parsed = parse_sample(message.text)
    if parsed is None:
        text = t(lang, "survey_admin.bad_sample", most=SAMPLE_MOST, seed_most=SEED_MOST)
        await message.reply_text(text)
        return
    sample, given = parsed
    seed = given if given is not None else secrets.randbelow(SEED_MOST + 1)
    choice = await counted(
        update, context, chosen.survey_id, chosen.codes, sample=sample, seed=seed
    )
    if choice is None:
        return
    token = keep(context, choice, "confirm", sample=sample, seed=seed)
    text = t(
        lang,
        "survey_admin.sample_preview",
        **choice_values(choice, lang),
        sample=sample,
        seed=seed,
        drawn="" if given is not None else t(lang, "survey_admin.seed_drawn"),
        confirm=t(lang, "survey_admin.confirm_button"),
    )
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([confirm_row(token, lang)]))


async def confirm(update: Update, context: BotContext, data: ButtonData) -> None:
    """「確認寄送」: the survey sent through the outbox to the choice shown."""
    chosen = await pending(update, context, data, "pick", "confirm")
    if chosen is None:
        return
    assert context.user_data is not None and context.person is not None
    waiting.close_wait(context.user_data, WAIT)
    try:
        sent = await context.services.db.run(
            send_survey,
            survey_id=chosen.survey_id,
            category_codes=chosen.codes,
            sample=chosen.sample,
            seed=chosen.seed,
            now=utcnow(),
            actor_telegram_id=context.person.telegram_id,
        )
    except UserError as error:
        await alert(update, context, error)
        return
    note = t(
        context.lang,
        "survey_admin.sent",
        id=sent.survey_id,
        recipients=sent.recipients,
        subscribers=sent.subscribers,
    )
    await show_survey(update, context, chosen.survey_id, note=note)


async def cancel(update: Update, context: BotContext, data: ButtonData) -> None:
    """「取消」 of a send: nothing sent, the survey shown again."""
    chosen = await pending(update, context, data, *STEPS)
    if chosen is not None:
        assert context.user_data is not None
        waiting.close_wait(context.user_data, WAIT)
        note = t(context.lang, "survey_admin.cancelled")
        await show_survey(update, context, chosen.survey_id, note=note)
