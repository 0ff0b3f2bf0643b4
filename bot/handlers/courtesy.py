"""Courtesy tests in chat: /tests, /score TEST_ID (buttons per item), /actions, and the
secretariat's /courtesy_report; daily reminders to inspectors and the overdue list."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import warnings
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, STAFF, audit, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.features import Command, Feature, roles
from courtesy import actions as action_rules
from courtesy import reports, scoring
from courtesy.rubric import Item, Rubric, grade_label, score
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import Markup, t
from storage.db import Database
from storage.models import CourtesyAction
from storage.queries.courtesy import (
    TestView,
    fetch_actions,
    fetch_rounds,
    fetch_staff,
    fetch_test_views,
    fetch_unit_codes,
)

logger = logging.getLogger(__name__)

PREFIX = "ct"
ITEM, NOTE, CONFIRM = range(3)
STATE_KEY = "courtesy_score"
NOTE_LIMIT = 1000
MESSAGE_LIMIT = 4000  # Telegram takes 4096 characters a message


def _today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


def _person_id(context: BotContext) -> int:
    assert context.person is not None
    return context.person.id


@requires(*STAFF)
async def list_tests(update: Update, context: BotContext) -> None:
    """An inspector's calls still to make and score, with date, time and extension."""
    assert update.effective_message is not None and context.person is not None
    lang = context.lang
    db = context.services.db
    ids = await db.run(scoring.inspector_ids_of, person_id=context.person.id)
    if not ids:
        await update.effective_message.reply_text(
            t(lang, "courtesy.tests.not_linked", telegram_id=context.person.telegram_id)
        )
        return
    views = await db.run(_open_tests, inspector_ids=ids)
    if not views:
        await update.effective_message.reply_text(t(lang, "courtesy.tests.none"))
        return
    lines = [t(lang, "courtesy.tests.header")]
    for view in views:
        lines.append(
            t(
                lang,
                "courtesy.tests.line",
                code=view.code,
                day=view.day.isoformat(),
                time=view.at.strftime("%H:%M"),
                extension=view.extension,
                unit=view.unit_name(lang),
                due=view.due_on.isoformat(),
                retest=Markup(
                    t(lang, "courtesy.tests.retest") if view.retest_of_action_id else ""
                ),
            )
        )
    await update.effective_message.reply_text("\n".join(lines))


def _open_tests(*, session: Session, inspector_ids: list[int]) -> list[TestView]:
    return fetch_test_views(session=session, inspector_ids=inspector_ids, status="planned")


def _item_keyboard(lang: str, code: str, item: dict[str, Any], index: int) -> InlineKeyboardMarkup:
    """One button per allowed score; the data names the call and the item's position, so a
    button of an earlier item, or of another call's abandoned scoring, cannot score the
    current one."""
    buttons = []
    for points in item["choices"]:
        if item["code"] == "speed" and points in (25, 20, 10, 0):
            label = t(lang, f"courtesy.score.speed_{points}")
        else:
            label = t(lang, "courtesy.score.points", points=points)
        buttons.append(
            [InlineKeyboardButton(label, callback_data=f"{PREFIX}:p:{code}:{index}:{points}")]
        )
    return InlineKeyboardMarkup(buttons)


def _item_text(lang: str, item: dict[str, Any]) -> str:
    name = item["name_zh"] if lang == "zh-TW" else item["name_en"]
    return t(lang, "courtesy.score.item", name=name, max=item["max"])


def _rubric_of(state: dict[str, Any]) -> Rubric:
    return Rubric(
        id=state["rubric_id"],
        template="",
        version=0,
        name_zh="",
        name_en="",
        items=tuple(Item.from_json(i) for i in state["items"]),
    )


@requires(*STAFF)
async def score_start(update: Update, context: BotContext) -> int:
    """/score TEST_ID: check the call is this inspector's, then ask for the first item."""
    assert update.effective_message is not None and context.user_data is not None
    lang = context.lang
    if not context.args:
        await update.effective_message.reply_text(t(lang, "courtesy.score.usage"))
        return ConversationHandler.END
    if not await context.services.db.run(scoring.inspector_ids_of, person_id=_person_id(context)):
        telegram_id = update.effective_user.id if update.effective_user else ""
        await update.effective_message.reply_text(
            t(lang, "courtesy.tests.not_linked", telegram_id=telegram_id)
        )
        return ConversationHandler.END
    try:
        started = await context.services.db.run(
            scoring.start_scoring, code=context.args[0], person_id=_person_id(context)
        )
    except UserError as exc:
        await audit(
            update, context, "courtesy.score.refused", target=context.args[0][:32], detail=exc.key
        )
        await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
        return ConversationHandler.END
    view, rubric = started.view, started.rubric
    context.user_data[STATE_KEY] = {
        "code": view.code,
        "rubric_id": rubric.id,
        "items": [i.to_json() for i in rubric.items],
        "index": 0,
        "points": {},
        "note": None,
    }
    await update.effective_message.reply_text(
        t(
            lang,
            "courtesy.score.start",
            code=view.code,
            day=view.day.isoformat(),
            time=view.at.strftime("%H:%M"),
            extension=view.extension,
            unit=view.unit_name(lang),
            rubric=rubric.name(lang),
        )
    )
    first = context.user_data[STATE_KEY]["items"][0]
    await update.effective_message.reply_text(
        _item_text(lang, first), reply_markup=_item_keyboard(lang, view.code, first, 0)
    )
    return ITEM


@requires(*STAFF)
async def score_item(update: Update, context: BotContext) -> int:
    """Take the pressed points for the current item; ask the next one, or for a note."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    state: dict[str, Any] = context.user_data.get(STATE_KEY) or {}
    _, _, code, index, points_text = query.data.split(":")
    points = int(points_text)
    item = state["items"][state["index"]] if state else None
    current = (
        item is not None
        and code == state["code"]
        and int(index) == state["index"]
        and points in item["choices"]
    )
    # Answered first; a button of an earlier item (or of a finished scoring) gets an alert.
    await query.answer(
        None if current else t(lang, "courtesy.score.stale"), show_alert=not current
    )
    if not state:
        return ConversationHandler.END
    if not current or item is None:
        return ITEM
    state["points"][item["code"]] = points
    state["index"] += 1
    context.user_data[STATE_KEY] = state
    name = item["name_zh"] if lang == "zh-TW" else item["name_en"]
    await query.edit_message_text(
        t(lang, "courtesy.score.summary_line", name=name, points=points, max=item["max"])
    )
    if state["index"] < len(state["items"]):
        following = state["items"][state["index"]]
        await context.bot.send_message(
            query.message.chat.id if query.message else query.from_user.id,
            _item_text(lang, following),
            reply_markup=_item_keyboard(lang, state["code"], following, state["index"]),
        )
        return ITEM
    await context.bot.send_message(query.from_user.id, t(lang, "courtesy.score.note"))
    return NOTE


async def _summary(update: Update, context: BotContext) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    lang = context.lang
    state = context.user_data[STATE_KEY]
    rubric = _rubric_of(state)
    outcome = score(
        rubric, state["points"], pass_mark=context.services.settings.courtesy_pass_mark
    )
    lines = [
        t(
            lang,
            "courtesy.score.summary_line",
            name=i.name(lang),
            points=state["points"][i.code],
            max=i.max_points,
        )
        for i in rubric.items
    ]
    if state["note"]:
        lines.append(t(lang, "courtesy.score.note_line", note=state["note"]))
    verdict = t(lang, "courtesy.results.passed" if outcome.passed else "courtesy.results.failed")
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "courtesy.score.confirm"), callback_data=f"{PREFIX}:ok"
                ),
                InlineKeyboardButton(
                    t(lang, "courtesy.score.cancel"), callback_data=f"{PREFIX}:no"
                ),
            ]
        ]
    )
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            lang,
            "courtesy.score.summary",
            code=state["code"],
            lines=Markup("\n".join(lines)),
            total=f"{outcome.total:g}",
            grade=grade_label(outcome.grade, lang),
            outcome=verdict,
        ),
        reply_markup=keyboard,
    )
    return CONFIRM


@requires(*STAFF)
async def score_note(update: Update, context: BotContext) -> int:
    """Keep the typed note, then show the summary."""
    assert update.effective_message is not None and context.user_data is not None
    state = context.user_data.get(STATE_KEY)
    if not state:
        return ConversationHandler.END
    note = update.effective_message.text or ""
    if len(note) > NOTE_LIMIT:
        await update.effective_message.reply_text(
            t(context.lang, "courtesy.score.note_too_long", max=NOTE_LIMIT, length=len(note))
        )
        return NOTE
    state["note"] = note
    context.user_data[STATE_KEY] = state
    return await _summary(update, context)


@requires(*STAFF)
async def score_skip_note(update: Update, context: BotContext) -> int:
    """No note: show the summary."""
    return await _summary(update, context)


@requires(*STAFF)
async def score_confirm(update: Update, context: BotContext) -> int:
    """Record the result (the assignment is checked again), or drop it."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    lang = context.lang
    state = context.user_data.pop(STATE_KEY, None)
    if not state or query.data.endswith(":no"):
        await query.edit_message_text(
            t(lang, "courtesy.score.cancelled" if state else "courtesy.score.stale")
        )
        return ConversationHandler.END
    db: Database = context.services.db
    try:
        ids = await db.run(scoring.inspector_ids_of, person_id=_person_id(context))
        recorded = await db.run(
            scoring.record_result,
            code=state["code"],
            points=state["points"],
            pass_mark=context.services.settings.courtesy_pass_mark,
            recorded_by=f"telegram:{query.from_user.id}",
            note=state["note"],
            inspector_ids=ids,
            today=_today(context),
        )
    except UserError as exc:
        await query.edit_message_text(t(lang, exc.key, **exc.values))
        return ConversationHandler.END
    await audit(
        update, context, "courtesy.score", target=recorded.code, detail=f"{recorded.score.total:g}"
    )
    text = t(
        lang,
        "courtesy.score.saved",
        code=recorded.code,
        total=f"{recorded.score.total:g}",
        grade=grade_label(recorded.score.grade, lang),
    )
    if recorded.action_id is not None:
        text += "\n" + t(
            lang, "courtesy.score.action", action=recorded.action_id, retest=recorded.retest_code
        )
    await query.edit_message_text(text)
    return ConversationHandler.END


@requires(*STAFF)
async def score_cancel(update: Update, context: BotContext) -> int:
    """/cancel: drop the scoring in progress."""
    assert update.effective_message is not None
    if context.user_data is not None:
        context.user_data.pop(STATE_KEY, None)
    await update.effective_message.reply_text(t(context.lang, "courtesy.score.cancelled"))
    return ConversationHandler.END


@requires(*STAFF)
async def stale_button(update: Update, context: BotContext) -> None:
    """A scoring button from a conversation that has ended."""
    query = update.callback_query
    assert query is not None
    await query.answer(t(context.lang, "courtesy.score.stale"), show_alert=True)


def nonconformity(session: Session, action: CourtesyAction, lang: str) -> str:
    """What went wrong: the text kept on the action (written in zh-TW, the branch's working
    language), or the same facts in the reader's other language."""
    if lang == "zh-TW":
        return action.nonconformity
    facts = action_rules.what_went_wrong(session=session, action=action)
    return _nonconformity_text(lang, action, facts)


def _nonconformity_text(
    lang: str, action: CourtesyAction, facts: action_rules.WhatWentWrong | None
) -> str:
    if lang == "zh-TW" or facts is None:
        return action.nonconformity
    grade = grade_label(facts.grade, lang)
    parts = [t(lang, "courtesy.actions.what_total", total=f"{facts.total:g}", grade=grade)]
    if facts.lost:
        lost = ", ".join(f"{item.name(lang)} −{points:g}" for item, points in facts.lost)
        parts.append(t(lang, "courtesy.actions.what_lost", items=lost))
    if facts.critical:
        critical = ", ".join(item.name(lang) for item in facts.critical)
        parts.append(t(lang, "courtesy.actions.what_critical", items=critical))
    return Markup("; ".join(parts))  # each part is escaped already


def action_lines(session: Session, found: Sequence[CourtesyAction], lang: str) -> list[str]:
    """One catalogue-formatted entry per action (the chat's /actions uses the same)."""
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    units = fetch_unit_codes(session=session)
    views = {v.id: v for v in fetch_test_views(session=session)}
    lines = []
    for action in found:
        person = staff[action.staff_id]
        unit = units[person.unit_id]
        retest = views.get(action.retest_test_id) if action.retest_test_id else None
        lines.append(
            t(
                lang,
                "courtesy.actions.line",
                id=action.id,
                status=t(lang, f"courtesy.actions.status.{action.status}"),
                name=person.name,
                unit=unit.name_in(lang),
                test=views[action.test_id].code,
                repeat=action.repeat_count + 1,
                nonconformity=nonconformity(session, action, lang),
                retest=f"{retest.code} {retest.day}"
                if retest
                else t(lang, "courtesy.actions.retest_none"),
            )
        )
    return lines


def _action_messages(*, session: Any, lang: str, hint: bool = False) -> list[str]:
    """The open actions as messages of at most MESSAGE_LIMIT characters, split between
    entries (never inside one, nor inside its HTML)."""
    found = fetch_actions(session=session, open_only=True)
    if not found:
        return [t(lang, "courtesy.actions.none")]
    messages = [t(lang, "courtesy.actions.header")]
    if hint:
        messages[0] += "\n" + t(lang, "courtesy.actions.hint")
    for line in action_lines(session, found, lang):
        if len(messages[-1]) + 2 + len(line) > MESSAGE_LIMIT:
            messages.append(line[:MESSAGE_LIMIT])
        else:
            messages[-1] += "\n\n" + line
    return messages


@requires(*STAFF)
async def list_actions(update: Update, context: BotContext) -> None:
    """Open corrective actions with their state, repeat count and retest."""
    assert update.effective_message is not None
    assert context.person is not None
    hint = context.person.has_any(frozenset(SECRETARIAT))
    messages = await context.services.db.run(_action_messages, lang=context.lang, hint=hint)
    for text in messages:
        await update.effective_message.reply_text(text)


ACTION_KEY = "courtesy_action"
ACTION_TEXT = 10
ACTION_FIELDS = (
    "correction",
    "cause",
    "plan",
    "owner",
    "due_on",
    "done_on",
    "evidence",
    "verification",
    "verified_by",
)
DATE_FIELDS = ("due_on", "done_on")
FIELD_LIMIT = 2000
CHAT_REFUSALS = {
    "courtesy.actions.needs_plan": "courtesy.action.needs_plan",
    "courtesy.actions.needs_done": "courtesy.action.needs_done",
    "courtesy.actions.needs_verification": "courtesy.action.needs_verification",
}
"""The CLI's refusals name its options; in chat the same refusal names the buttons."""


def _field_label(lang: str, field: str) -> str:
    return t(lang, f"courtesy.action.field.{field}")


def _action_card(lang: str, details: action_rules.ActionDetails) -> tuple[str, Any]:
    """The text of one action and its buttons: one per field, and the next step."""
    action = details.action
    assert action.id is not None
    empty = t(lang, "courtesy.action.empty")

    def shown(value: object) -> str:
        return str(value) if value not in (None, "") else empty

    if details.retest_code is None:
        retest = t(lang, "courtesy.action.retest_none")
    elif details.retest_total is None:
        retest = t(
            lang,
            "courtesy.action.retest_pending",
            code=details.retest_code,
            day=details.retest_day,
        )
    else:
        verdict = "courtesy.results.passed" if details.retest_passed else "courtesy.results.failed"
        retest = t(
            lang,
            "courtesy.action.retest_scored",
            code=details.retest_code,
            day=details.retest_day,
            total=f"{details.retest_total:g}",
            outcome=t(lang, verdict),
        )
    text = t(
        lang,
        "courtesy.action.card",
        id=action.id,
        status=t(lang, f"courtesy.actions.status.{action.status}"),
        name=details.staff_name,
        unit=details.unit_zh if lang == "zh-TW" else details.unit_en,
        test=details.test_code,
        repeat=action.repeat_count + 1,
        nonconformity=_nonconformity_text(lang, action, details.what),
        correction=shown(action.correction),
        cause=shown(action.cause),
        plan=shown(action.plan),
        owner=shown(action.owner),
        due=shown(action.due_on),
        done=shown(action.done_on),
        evidence=shown(action.evidence),
        retest=Markup(retest),
        verification=shown(action.verification),
        verified_by=shown(action.verified_by),
    )
    following = action_rules.next_status(action.status)
    if following is None:
        return text + "\n\n" + t(lang, "courtesy.action.closed"), None
    text += "\n\n" + t(lang, f"courtesy.action.next_{following.value}")
    buttons = [
        InlineKeyboardButton(
            _field_label(lang, field), callback_data=f"{PREFIX}:af:{action.id}:{field}"
        )
        for field in ACTION_FIELDS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                t(
                    lang,
                    "courtesy.action.advance",
                    status=t(lang, f"courtesy.actions.status.{following.value}"),
                ),
                callback_data=f"{PREFIX}:an:{action.id}:{action.status}",
            )
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def _chat_refusal(lang: str, exc: UserError) -> str:
    key = CHAT_REFUSALS.get(exc.key)
    if key is None:
        return t(lang, exc.key, **exc.values)
    values = dict(exc.values)
    if "missing" in values:
        names = {"due": "due_on", "done": "done_on"}
        values["missing"] = ("、" if lang == "zh-TW" else ", ").join(
            _field_label(lang, names.get(m.strip(), m.strip()))
            for m in str(values["missing"]).split(",")
        )
    return t(lang, key, **values)


async def _send_card(update: Update, context: BotContext, action_id: int) -> None:
    assert update.effective_chat is not None
    lang = context.lang
    try:
        details = await context.services.db.run(
            action_rules.fetch_action_details, action_id=action_id
        )
    except UserError as exc:
        await context.bot.send_message(update.effective_chat.id, t(lang, exc.key, **exc.values))
        return
    text, markup = _action_card(lang, details)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


@requires(*SECRETARIAT)
async def show_action(update: Update, context: BotContext) -> None:
    """/action NUMBER: one corrective action with buttons to fill it in and move it on."""
    assert update.effective_message is not None
    text = (context.args or [""])[0].lstrip("#")
    if not text.isdigit() or len(text) > 9:
        await update.effective_message.reply_text(t(context.lang, "courtesy.action.usage"))
        return
    await _send_card(update, context, int(text))


@requires(*SECRETARIAT)
async def action_ask(update: Update, context: BotContext) -> int:
    """A field button: ask for that field's new text."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    _, _, action_id, field = query.data.split(":")
    lang = context.lang
    try:
        details = await context.services.db.run(
            action_rules.fetch_action_details, action_id=int(action_id)
        )
    except UserError as exc:
        await query.answer(t(lang, exc.key, **exc.values), show_alert=True)
        return ConversationHandler.END
    if action_rules.next_status(details.action.status) is None:  # closed: the record stands
        await query.answer(t(lang, "courtesy.action.stale", id=action_id), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data[ACTION_KEY] = {"id": int(action_id), "field": field}
    key = "courtesy.action.ask_date" if field in DATE_FIELDS else "courtesy.action.ask"
    await context.bot.send_message(
        query.from_user.id, t(lang, key, field=_field_label(lang, field), id=int(action_id))
    )
    return ACTION_TEXT


@requires(*SECRETARIAT)
async def action_text(update: Update, context: BotContext) -> int:
    """The typed value: check it, store it (the action's rules apply), show the card again."""
    assert update.effective_message is not None and context.user_data is not None
    lang = context.lang
    pending = context.user_data.get(ACTION_KEY)
    if not pending:
        return ConversationHandler.END
    field, action_id = pending["field"], pending["id"]
    value = (update.effective_message.text or "").strip()
    limit = action_rules.LIMITS.get(field, FIELD_LIMIT)
    parsed: Any = value
    if field in DATE_FIELDS:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            await update.effective_message.reply_text(
                t(lang, "courtesy.action.bad_date", value=value[:40])
            )
            return ACTION_TEXT
    elif not value or len(value) > limit:
        await update.effective_message.reply_text(
            t(lang, "courtesy.action.too_long", field=_field_label(lang, field), max=limit)
        )
        return ACTION_TEXT
    try:
        await context.services.db.run(
            action_rules.update_action,
            action_id=action_id,
            change=action_rules.ActionChange(**{field: parsed}),
            actor=f"telegram:{update.effective_user.id if update.effective_user else ''}",
        )
    except UserError as exc:
        context.user_data.pop(ACTION_KEY, None)
        await update.effective_message.reply_text(_chat_refusal(lang, exc))
        return ConversationHandler.END
    context.user_data.pop(ACTION_KEY, None)
    await audit(update, context, "courtesy.action.edit", target=str(action_id), detail=field)
    await _send_card(update, context, action_id)
    return ConversationHandler.END


@requires(*SECRETARIAT)
async def action_cancel(update: Update, context: BotContext) -> int:
    """/cancel while an action's field is asked for."""
    assert update.effective_message is not None
    if context.user_data is not None:
        context.user_data.pop(ACTION_KEY, None)
    await update.effective_message.reply_text(t(context.lang, "courtesy.action.cancelled"))
    return ConversationHandler.END


@requires(*SECRETARIAT)
async def action_next(update: Update, context: BotContext) -> None:
    """The next-step button: move the action on if its rules allow, and refresh the card."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    _, _, raw_id, shown_status = query.data.split(":")
    action_id = int(raw_id)
    try:
        details = await context.services.db.run(
            action_rules.fetch_action_details, action_id=action_id
        )
    except UserError as exc:
        await query.answer(t(lang, exc.key, **exc.values), show_alert=True)
        return
    following = action_rules.next_status(details.action.status)
    if details.action.status != shown_status or following is None:
        await query.answer(t(lang, "courtesy.action.stale", id=action_id), show_alert=True)
        return
    try:
        await context.services.db.run(
            action_rules.update_action,
            action_id=action_id,
            change=action_rules.ActionChange(),
            to=following,
            actor=f"telegram:{query.from_user.id}",
        )
    except UserError as exc:
        await query.answer(_chat_refusal(lang, exc)[:200], show_alert=True)
        return
    await query.answer(
        t(
            lang,
            "courtesy.action.moved",
            id=action_id,
            status=t(lang, f"courtesy.actions.status.{following.value}"),
        )
    )
    await audit(update, context, "courtesy.action.status", target=raw_id, detail=following.value)
    details = await context.services.db.run(action_rules.fetch_action_details, action_id=action_id)
    text, markup = _action_card(lang, details)
    await query.edit_message_text(text, reply_markup=markup)


def _latest_round(*, session: Any, today: date) -> str | None:
    started = [r for r in fetch_rounds(session=session) if r.starts_on <= today]
    return f"{started[-1].year}-{started[-1].number}" if started else None


def _build(*, session: Any, text: str, language: str, pass_mark: int, today: date) -> Any:
    year, number = reports.parse_round(text)
    return reports.build_round_report(
        session=session,
        year=year,
        number=number,
        language=language,
        pass_mark=pass_mark,
        today=today,
    )


@requires(*SECRETARIAT)
async def round_report(update: Update, context: BotContext) -> None:
    """/courtesy_report [YEAR-ROUND]: the round report as text with HTML, CSV and PNG files."""
    assert update.effective_message is not None and update.effective_chat is not None
    lang = context.lang
    db = context.services.db
    today = _today(context)
    wanted = context.args[0] if context.args else await db.run(_latest_round, today=today)
    if wanted is None:
        await update.effective_message.reply_text(t(lang, "courtesy.report.usage"))
        return
    try:
        built = await db.run(
            _build,
            text=wanted,
            language=lang,
            pass_mark=context.services.settings.courtesy_pass_mark,
            today=today,
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
        return
    await audit(update, context, "courtesy.report", target=wanted)
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
    await update.effective_message.reply_text(text)
    with tempfile.TemporaryDirectory(prefix="bsmi-courtesy-") as tmp:
        paths = await asyncio.to_thread(reports.write_report, built, Path(tmp))
        for path in paths:
            with path.open("rb") as handle:
                await context.bot.send_document(
                    update.effective_chat.id, handle, filename=path.name
                )


FIELDS = "|".join(ACTION_FIELDS)


def register(app: BotApplication) -> None:
    with warnings.catch_warnings():
        # The item buttons are per chat and the state is the person's own user_data.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("score", score_start)],
            states={
                ITEM: [CallbackQueryHandler(score_item, pattern=rf"^{PREFIX}:p:[\w-]+:\d+:\d+$")],
                NOTE: [
                    CommandHandler("skip", score_skip_note),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, score_note),
                ],
                CONFIRM: [CallbackQueryHandler(score_confirm, pattern=rf"^{PREFIX}:(ok|no)$")],
            },
            fallbacks=[CommandHandler("cancel", score_cancel)],
            name="courtesy_score",
            persistent=True,
            allow_reentry=True,
        )
    app.add_handler(conversation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        action_conversation = ConversationHandler(
            entry_points=[
                CallbackQueryHandler(action_ask, pattern=rf"^{PREFIX}:af:\d+:({FIELDS})$")
            ],
            states={ACTION_TEXT: [MessageHandler(waiting.text_for(app, ACTION_KEY), action_text)]},
            fallbacks=[CommandHandler("cancel", action_cancel)],
            name="courtesy_action",
            persistent=True,
            allow_reentry=True,
        )
    app.add_handler(action_conversation)
    app.add_handler(CommandHandler("action", show_action))
    app.add_handler(CallbackQueryHandler(action_next, pattern=rf"^{PREFIX}:an:\d+:[a-z]+$"))
    app.add_handler(CommandHandler("tests", list_tests))
    app.add_handler(CommandHandler("actions", list_actions))
    app.add_handler(CommandHandler("courtesy_report", round_report))
    app.add_handler(CallbackQueryHandler(stale_button, pattern=rf"^{PREFIX}:"))


FEATURE = Feature(
    name="courtesy",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(
        Command("tests", roles(*STAFF)),
        Command("score", roles(*STAFF)),
        Command("actions", roles(*STAFF)),
        Command("action", roles(*SECRETARIAT)),
        Command("courtesy_report", roles(*SECRETARIAT)),
    ),
)
