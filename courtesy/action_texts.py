"""What a person reads about corrective actions, in their language: what went wrong, one line
per action (the chat's /actions and the command line's `courtesy actions`), the open ones as
pages, and one action's card.

What went wrong is kept on the action in zh-TW, the branch's working language; an English
reader gets the same facts rebuilt from the failed result.

Who may read names: an action names the person who failed an unannounced test, so the chat
shows the open actions with names to the secretariat and administrators only; other staff (the
inspectors) see how many are open in each state. The command line is the operator's tool, run
by the secretariat on the server, and keeps the names.

Everything the chat sends fits one Telegram message: the list comes in pages, and a card cuts
its long fields (each may hold 2,000 characters), naming the fields cut so the chat can offer
each one whole.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from courtesy.actions import ActionDetails, WhatWentWrong, next_status, what_went_wrong
from courtesy.rubric import grade_label
from kernel.i18n import Markup, t
from kernel.reporting import format_day, use_roc
from storage.models import ActionStatus, CourtesyAction
from storage.queries.courtesy import (
    fetch_actions,
    fetch_staff,
    fetch_test_views,
    fetch_unit_codes,
)


def nonconformity_in(lang: str, action: CourtesyAction, facts: WhatWentWrong | None) -> str:
    """What went wrong: the text kept on the action, or in English the same facts."""
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


def nonconformity(session: Session, *, action: CourtesyAction, lang: str) -> str:
    """What went wrong with `action`, for a reader of `lang`."""
    if lang == "zh-TW":
        return action.nonconformity
    return nonconformity_in(lang, action, what_went_wrong(session=session, action=action))


def action_lines(session: Session, *, found: Sequence[CourtesyAction], lang: str) -> list[str]:
    """One catalogue-formatted entry per action."""
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
                nonconformity=nonconformity(session=session, action=action, lang=lang),
                retest=f"{retest.code} {retest.day}"
                if retest
                else t(lang, "courtesy.actions.retest_none"),
            )
        )
    return lines


def action_list(session: Session, *, lang: str, open_only: bool) -> list[str]:
    """The command line's list: one entry per action (only those not closed with
    `open_only`), or the one line saying there are none."""
    found = fetch_actions(session=session, open_only=open_only)
    if not found:
        return [t(lang, "courtesy.actions.none")]
    return action_lines(session=session, found=found, lang=lang)


def message_length(text: str) -> int:
    """What a message costs against Telegram's limit, counted safely: UTF-16 code units of the
    text with its tags and entities (never less than what Telegram counts after parsing)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class ActionsPage:
    """One message of the chat's /actions: its text, which page it is (from 0) and of how
    many; `pages` is 1 for the counts other staff see."""

    text: str
    page: int
    pages: int


def _pages(header: str, lines: list[str], limit: int) -> list[str]:
    """`lines` packed after `header` into messages of at most `limit` (see `message_length`),
    split between entries, never inside one."""
    pages: list[str] = []
    current = header
    for line in lines:
        if current != header and message_length(current) + 2 + message_length(line) > limit:
            pages.append(current)
            current = header
        current += "\n\n" + line
    pages.append(current)
    return pages


def open_actions_page(
    session: Session, *, lang: str, named: bool, page: int, limit: int
) -> ActionsPage | None:
    """The chat's /actions: with `named` (the secretariat, administrators) page `page` of the
    open actions with names, each page at most `limit` long with room kept for its footer;
    without, the counts by state. None for a page that does not exist (an old button)."""
    found = fetch_actions(session=session, open_only=True)
    if not found:
        return ActionsPage(t(lang, "courtesy.actions.none"), 0, 1) if page == 0 else None
    if not named:
        if page != 0:
            return None
        by_status = Counter(action.status for action in found)
        states = (", " if lang != "zh-TW" else "、").join(
            t(
                lang,
                "courtesy.actions.count_line",
                status=t(lang, f"courtesy.actions.status.{s}"),
                count=by_status[s],
            )  # fmt: skip
            for s in (status.value for status in ActionStatus)
            if by_status[s]
        )
        return ActionsPage(
            t(lang, "courtesy.actions.counts", count=len(found), states=states), 0, 1
        )
    header = t(lang, "courtesy.actions.header") + "\n" + t(lang, "courtesy.actions.hint")
    footer_room = message_length(t(lang, "courtesy.actions.page", page=9999, pages=9999)) + 2
    pages = _pages(
        header, action_lines(session=session, found=found, lang=lang), limit - footer_room
    )
    if not 0 <= page < len(pages):
        return None
    text = pages[page]
    if len(pages) > 1:
        text += "\n\n" + t(lang, "courtesy.actions.page", page=page + 1, pages=len(pages))
    return ActionsPage(text, page, len(pages))


CARD_FIELDS = ("correction", "cause", "plan", "evidence", "verification")
"""The card's fields that may be long (2,000 characters each): cut on the card when long."""
CARD_FIELD_BUDGET = 400
"""Most characters (escaped, as sent) each of CARD_FIELDS takes on the card: five of them and
the rest of the card stay well within Telegram's 4,096."""


def _shortened(value: str, budget: int) -> str | None:
    """`value` cut so that, escaped, it costs at most `budget` with its "…"; None if it fits
    whole."""
    if message_length(html.escape(value, quote=False)) <= budget:
        return None
    kept, cost = [], 1
    for char in value:
        char_cost = message_length(html.escape(char, quote=False))
        if cost + char_cost > budget:
            break
        kept.append(char)
        cost += char_cost
    return "".join(kept).rstrip() + "…"


@dataclass(frozen=True)
class Card:
    """One action's card: the text and the fields cut on it (each can be read whole)."""

    text: str
    cut: tuple[str, ...]


def card_text(lang: str, details: ActionDetails, *, limit: int = 4000) -> Card:
    """One action as the chat's card shows it, ending with the next step (or that it is
    closed), within `limit` (see `message_length`): long fields are cut and named in `cut`."""
    budget = CARD_FIELD_BUDGET
    while True:
        card = _card(lang, details, budget)
        if message_length(card.text) <= limit or budget <= 40:
            return card
        budget //= 2  # what went wrong or a name made the rest long: cut the fields harder


def _card(lang: str, details: ActionDetails, budget: int) -> Card:
    action = details.action
    empty = t(lang, "courtesy.action.empty")
    cut: list[str] = []

    def shown(value: object) -> str:
        if isinstance(value, date):  # as chat messages write dates: ROC in Chinese
            return format_day(value, lang, roc=use_roc(lang))
        return str(value) if value not in (None, "") else empty

    def long(field: str) -> str:
        value = getattr(action, field)
        if not value:
            return empty
        shorter = _shortened(str(value), budget)
        if shorter is None:
            return str(value)
        cut.append(field)
        return shorter

    if details.retest_code is None:
        retest = t(lang, "courtesy.action.retest_none")
    elif details.retest_total is None:
        retest = t(
            lang,
            "courtesy.action.retest_pending",
            code=details.retest_code,
            day=shown(details.retest_day),
        )
    else:
        verdict = "courtesy.results.passed" if details.retest_passed else "courtesy.results.failed"
        retest = t(
            lang,
            "courtesy.action.retest_scored",
            code=details.retest_code,
            day=shown(details.retest_day),
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
        nonconformity=nonconformity_in(lang, action, details.what),
        correction=long("correction"),
        cause=long("cause"),
        plan=long("plan"),
        owner=shown(action.owner),
        due=shown(action.due_on),
        done=shown(action.done_on),
        evidence=long("evidence"),
        retest=Markup(retest),
        verification=long("verification"),
        verified_by=shown(action.verified_by),
    )
    following = next_status(action.status)
    step = (
        "courtesy.action.closed"
        if following is None
        else f"courtesy.action.next_{following.value}"
    )
    if cut:
        text += "\n\n" + t(lang, "courtesy.action.cut")
    return Card(text + "\n\n" + t(lang, step), tuple(cut))


def field_text(lang: str, details: ActionDetails, field: str) -> str:
    """One field of an action whole, for the card's button of a field it cut."""
    if field not in CARD_FIELDS:
        raise ValueError(f"not a long field of the card: {field!r}")
    value = getattr(details.action, field) or t(lang, "courtesy.action.empty")
    return t(
        lang,
        "courtesy.action.field_whole",
        id=details.action.id,
        field=t(lang, f"courtesy.action.field.{field}"),
        text=value,
    )
