"""Surveys in chat, the public's side: a firm answers a survey question by question (`svy:`
buttons, a typed answer or `/skip` for a free-text question), a reporter answers the question
after a closed case (`svc:` buttons, then a comment or `/skip`). The staff's `/survey` is
`survey_admin/`.

A button for a question already answered, another person's, or one whose time has passed is
answered as stale and changes nothing: the domain decides, from the rows, inside the answer's
transaction.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.edge import waiting
from bot.edge.callbacks import answer_stale, parse
from bot.edge.context import BotApplication, BotContext
from bot.edge.features import Feature
from bot.edge.keyboards import keyboard
from bot.surveys.answering import Outcome, Step, answer_scale, answer_text, start
from bot.surveys.followups import Answer, answer_comment, answer_score
from bot.surveys.prompts import CASE, SURVEY
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.outgoing import Part

WAIT = "survey_text"
"""The wait (`bot.edge.waiting`) for a typed answer: payload {"what": "svy" or "svc", "id": the
invitation or follow-up}; `/skip`, the answer, or any other command ends it."""
WAIT_MINUTES = 14 * 24 * 60
"""A survey stays open for days and a case question for 14 days: the domain says when an answer
comes too late, so the wait itself only ends with those."""


async def _send(update: Update, part: Part) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(part.text, reply_markup=keyboard(part))


async def _echo(update: Update, text: str | None) -> None:
    """The pressed question's message now shows the answer chosen, without its buttons."""
    query = update.callback_query
    if query is None or text is None:
        return
    with contextlib.suppress(BadRequest):  # too old to edit: the new question still follows
        await query.edit_message_text(text)


def _wait(context: BotContext, what: str, row_id: int) -> None:
    assert context.user_data is not None
    waiting.open_wait(context.user_data, WAIT, {"what": what, "id": row_id}, minutes=WAIT_MINUTES)


async def _after_survey_step(update: Update, context: BotContext, step: Step) -> None:
    """Say what a survey step means: the next question, thanks, or why nothing changed."""
    query = update.callback_query
    if step.outcome is Outcome.STALE:
        if query is not None:
            await answer_stale(update, context, "survey: not the question this person is at")
        return
    if query is not None:
        if step.outcome in (Outcome.CLOSED, Outcome.DONE_BEFORE):
            await query.answer(t(context.lang, f"surveys.{step.outcome.value}"), show_alert=True)
            return
        await query.answer()
    elif step.outcome in (Outcome.CLOSED, Outcome.DONE_BEFORE):
        await _send(update, Part(t(context.lang, f"surveys.{step.outcome.value}")))
        return
    await _echo(update, step.echo)
    if step.expects_text and step.invitation_id is not None:
        _wait(context, SURVEY, step.invitation_id)
    elif context.user_data is not None:
        waiting.close_wait(context.user_data, WAIT)
    assert step.part is not None
    await _send(update, step.part)


async def survey_pressed(update: Update, context: BotContext) -> None:
    """A survey button: start or resume (`svy:go:<survey>`), or a 1–5 answer."""
    query = update.callback_query
    assert query is not None and context.person is not None
    data = parse(query.data, (SURVEY,))
    if data.verb == "go" and len(data.parts) == 2:
        step = await context.services.db.run(
            start, survey_id=data.integer(1), person_id=context.person.id, language=context.lang
        )
    elif data.verb == "a" and len(data.parts) == 4:
        step = await context.services.db.run(
            answer_scale,
            invitation_id=data.integer(1),
            person_id=context.person.id,
            position=data.integer(2),
            score=data.integer(3),
            language=context.lang,
            now=utcnow(),
        )
    else:
        await answer_stale(update, context, "survey: unknown verb")
        return
    await _after_survey_step(update, context, step)


async def case_pressed(update: Update, context: BotContext) -> None:
    """The 1–5 answer to the question after a closed case (`svc:s:<follow-up>:<score>`)."""
    query = update.callback_query
    assert query is not None and context.person is not None
    data = parse(query.data, (CASE,))
    if data.verb != "s" or len(data.parts) != 3:
        await answer_stale(update, context, "case survey: unknown verb")
        return
    follow_up_id = data.integer(1)
    reply = await context.services.db.run(
        answer_score,
        follow_up_id=follow_up_id,
        person_id=context.person.id,
        score=data.integer(2),
        language=context.lang,
        now=utcnow(),
    )
    if reply.answer is Answer.STALE:
        await answer_stale(update, context, "case survey: answered, expired or not theirs")
        return
    await query.answer()
    await _echo(update, reply.echo)
    _wait(context, CASE, follow_up_id)
    assert reply.part is not None
    await _send(update, reply.part)


async def _typed(update: Update, context: BotContext, text: str | None) -> bool:
    """A typed answer (None: /skip) to what this person's wait names; False if none."""
    assert context.user_data is not None and context.person is not None
    waited = waiting.close_wait(context.user_data, WAIT)
    if not isinstance(waited, waiting.Wait):
        return False
    what, row_id = waited.payload.get("what"), waited.payload.get("id")
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        return False
    if what == SURVEY:
        step = await context.services.db.run(
            answer_text,
            invitation_id=row_id,
            person_id=context.person.id,
            text=text,
            language=context.lang,
            now=utcnow(),
        )
        if step.outcome is Outcome.STALE:
            return False
        await _after_survey_step(update, context, step)
        return True
    if what == CASE:
        reply = await context.services.db.run(
            answer_comment,
            follow_up_id=row_id,
            person_id=context.person.id,
            text=text,
            language=context.lang,
            now=utcnow(),
        )
        if reply.answer is Answer.STALE or reply.part is None:
            return False
        if reply.answer is Answer.TOO_LONG:
            _wait(context, CASE, row_id)
        await _send(update, reply.part)
        return True
    return False


async def typed_answer(update: Update, context: BotContext) -> None:
    """The text a survey or case question waits for."""
    message = update.effective_message
    assert message is not None
    if not await _typed(update, context, message.text):
        await message.reply_text(t(context.lang, "surveys.nothing_waiting"))


async def skip(update: Update, context: BotContext) -> None:
    """/skip: leave out the free-text answer or comment now asked for."""
    message = update.effective_message
    assert message is not None
    if context.person is None or not await _typed(update, context, None):
        await message.reply_text(t(context.lang, "surveys.nothing_to_skip"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("skip", skip))
    app.add_handler(MessageHandler(waiting.text_for(app, WAIT), typed_answer))
    app.add_handler(CallbackQueryHandler(survey_pressed, pattern=rf"^{SURVEY}:"))
    app.add_handler(CallbackQueryHandler(case_pressed, pattern=rf"^{CASE}:"))


FEATURE = Feature(
    name="surveys",
    callback_prefixes=(SURVEY, CASE),
    register=register,
)
