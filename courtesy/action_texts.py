"""What a person reads about corrective actions, in their language: what went wrong, one line
per action (the chat's /actions and the command line's `courtesy actions`), the open ones as
messages, and one action's card.

What went wrong is kept on the action in zh-TW, the branch's working language; an English
reader gets the same facts rebuilt from the failed result.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from courtesy.actions import ActionDetails, WhatWentWrong, next_status, what_went_wrong
from courtesy.rubric import grade_label
from kernel.i18n import Markup, t
from storage.models import CourtesyAction
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


def nonconformity(*, session: Session, action: CourtesyAction, lang: str) -> str:
    """What went wrong with `action`, for a reader of `lang`."""
    if lang == "zh-TW":
        return action.nonconformity
    return nonconformity_in(lang, action, what_went_wrong(session=session, action=action))


def action_lines(*, session: Session, found: Sequence[CourtesyAction], lang: str) -> list[str]:
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


def action_list(*, session: Session, lang: str, open_only: bool) -> list[str]:
    """The command line's list: one entry per action (only those not closed with
    `open_only`), or the one line saying there are none."""
    found = fetch_actions(session=session, open_only=open_only)
    if not found:
        return [t(lang, "courtesy.actions.none")]
    return action_lines(session=session, found=found, lang=lang)


def open_action_messages(*, session: Session, lang: str, hint: bool, limit: int) -> list[str]:
    """The chat's /actions: the open actions as messages of at most `limit` characters, split
    between entries (never inside one, nor inside its HTML); `hint` adds how to open one."""
    found = fetch_actions(session=session, open_only=True)
    if not found:
        return [t(lang, "courtesy.actions.none")]
    messages = [t(lang, "courtesy.actions.header")]
    if hint:
        messages[0] += "\n" + t(lang, "courtesy.actions.hint")
    for line in action_lines(session=session, found=found, lang=lang):
        if len(messages[-1]) + 2 + len(line) > limit:
            messages.append(line[:limit])
        else:
            messages[-1] += "\n\n" + line
    return messages


def card_text(lang: str, details: ActionDetails) -> str:
    """One action as the chat's card shows it, ending with the next step (or that it is
    closed)."""
    action = details.action
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
        nonconformity=nonconformity_in(lang, action, details.what),
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
    following = next_status(action.status)
    if following is None:
        return text + "\n\n" + t(lang, "courtesy.action.closed")
    return text + "\n\n" + t(lang, f"courtesy.action.next_{following.value}")
