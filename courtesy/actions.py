"""Corrective and preventive actions (矯正及預防措施) for failed calls, to a verified close.

An action opens by itself when a result is below the pass mark or a critical item scored 0. It
records what went wrong (items and points lost), the immediate correction, the cause, the
planned actions with their owner and due date, the done date and evidence, a retest call and
the verification. States move forward only: open → planned → implemented → verified → closed,
each step written to the action's history:

* planned needs the cause, the planned actions, an owner and a due date;
* implemented needs the done date;
* verified and closed need a passing retest or a supervisor's written verification (text and
  name).

The retest call goes into the next round of the year (a random working day of its window, from
tomorrow on) or, when there is no next round or `retest_days` is given, onto a working day within
that many days (30 by default). It is called by the inspector from another unit who has the
fewest calls in that round.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from courtesy.planner import FIRST_MINUTE, LAST_START_MINUTE, STEP_MINUTES, due_date, window
from courtesy.rubric import Item, Rubric, Score
from kernel import workcalendar
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.models import (
    ActionStatus,
    CourtesyAction,
    CourtesyRound,
    CourtesyRubric,
    CourtesyStaff,
    CourtesyTest,
)
from storage.queries.courtesy import (
    add_action_event,
    count_failures_of,
    fetch_action,
    fetch_current_result,
    fetch_result_history,
    fetch_round,
    fetch_rounds,
    fetch_staff,
    fetch_test_views,
)

ORDER = tuple(ActionStatus)
FIELDS = (
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
"""An action's fields a person fills in, in the order the card and the command line show them."""
DEFAULT_RETEST_DAYS = 30


def nonconformity_text(rubric: Rubric, result: Score, pass_mark: int) -> str:
    """What went wrong, in the branch's working language, as kept on the action."""
    parts = [f"總分 {result.total:g}（{result.grade}）"]
    if result.total < pass_mark:
        parts[0] += f"，未達及格分數 {pass_mark}"
    lost = [f"{rubric.item(code).name_zh} −{points:g}" for code, points in result.lost.items()]
    if lost:
        parts.append("失分：" + "、".join(lost))
    if result.critical_failed:
        critical = [
            i.name_zh for i in rubric.items if i.critical_zero and not result.points[i.code]
        ]
        parts.append("重大缺失：" + "、".join(critical) + " 0 分")
    return "；".join(parts)


def open_action(
    session: Session,
    *,
    test: CourtesyTest,
    rubric: Rubric,
    result: Score,
    pass_mark: int,
    today: date,
    retest_days: int | None = None,
) -> CourtesyAction:
    """Open an action for a failed call and schedule its retest."""
    assert test.id is not None
    earlier = count_failures_of(session=session, staff_id=test.staff_id) - 1
    action = CourtesyAction(
        test_id=test.id,
        staff_id=test.staff_id,
        nonconformity=nonconformity_text(rubric, result, pass_mark),
        points_lost=dict(result.lost),
        critical=result.critical_failed,
        repeat_count=max(earlier, 0),
    )
    session.add(action)
    session.flush()
    assert action.id is not None
    add_action_event(
        session=session,
        action_id=action.id,
        actor="system",
        from_status=None,
        to_status=ActionStatus.OPEN.value,
        note=action.nonconformity,
        at=utcnow(),
    )
    retest = schedule_retest(
        session=session, action=action, failed=test, today=today, retest_days=retest_days
    )
    action.retest_test_id = retest.id
    session.add(action)
    session.flush()
    return action


def _round_for(session: Session, day: date) -> CourtesyRound:
    """The round whose window holds `day`, created (without calls) if not planned yet."""
    number = next(n for n in (1, 2, 3) if window(day.year, n)[0] <= day <= window(day.year, n)[1])
    found = fetch_round(session=session, year=day.year, number=number)
    if found is not None:
        return found
    first, last = window(day.year, number)
    created = CourtesyRound(
        year=day.year,
        number=number,
        starts_on=first,
        ends_on=last,
        due_on=due_date(day.year, number),
        seed=0,
        calendar_published=workcalendar.is_published(day.year),
    )
    session.add(created)
    session.flush()
    return created


def schedule_retest(
    session: Session,
    *,
    action: CourtesyAction,
    failed: CourtesyTest,
    today: date,
    retest_days: int | None = None,
) -> CourtesyTest:
    """Add the retest call of an action (see the module docstring for where it goes)."""
    assert action.id is not None
    rng = random.Random(f"retest-{action.id}-{failed.code}")
    days: list[date] = []
    failed_round = next(r for r in fetch_rounds(session=session) if r.id == failed.round_id)
    if retest_days is None and failed_round.number < 3:
        following = fetch_round(
            session=session, year=failed_round.year, number=failed_round.number + 1
        )
        if following is not None:
            first = max(following.starts_on, today + timedelta(days=1))
            days = workcalendar.working_days_in(first, following.ends_on)
    if not days:
        span = retest_days if retest_days is not None else DEFAULT_RETEST_DAYS
        days = workcalendar.working_days_in(
            today + timedelta(days=1), today + timedelta(days=max(span, 1))
        )
        if not days:
            days = [workcalendar.add_working_days(today, 1)]
    day = rng.choice(days)
    minute = rng.randrange(FIRST_MINUTE, LAST_START_MINUTE + 1, STEP_MINUTES)
    target_round = _round_for(session, day)
    assert target_round.id is not None
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    person = staff[failed.staff_id]
    inspector = _least_busy_inspector(session, target_round, person)
    existing = fetch_test_views(session=session, round_ids=[target_round.id])
    retests = sum(1 for v in existing if v.retest_of_action_id is not None)
    retest = CourtesyTest(
        code=f"{target_round.year}-{target_round.number}-R{retests + 1:02d}",
        round_id=target_round.id,
        staff_id=failed.staff_id,
        inspector_id=inspector.id or 0,
        scheduled_on=day,
        scheduled_time=time(minute // 60, minute % 60),
        retest_of_action_id=action.id,
    )
    session.add(retest)
    session.flush()
    return retest


def _least_busy_inspector(
    session: Session, target: CourtesyRound, person: CourtesyStaff
) -> CourtesyStaff:
    assert target.id is not None
    candidates = [
        s for s in fetch_staff(session=session) if s.is_inspector and s.unit_id != person.unit_id
    ]
    if not candidates:
        raise UserError("courtesy.errors.no_retest_inspector", name=person.name)
    load = {s.id: 0 for s in candidates}
    for view in fetch_test_views(session=session, round_ids=[target.id]):
        if view.inspector_id in load:
            load[view.inspector_id] += 1
    return min(candidates, key=lambda s: (load[s.id], s.extension))


def retest_passed(session: Session, *, action: CourtesyAction) -> bool:
    """Whether the action's retest call has a current, passing result."""
    if action.retest_test_id is None:
        return False
    result = fetch_current_result(session=session, test_id=action.retest_test_id)
    return result is not None and result.passed


@dataclass(frozen=True)
class ActionChange:
    """Field updates for an action; None leaves a field as it is."""

    correction: str | None = None
    cause: str | None = None
    plan: str | None = None
    owner: str | None = None
    due_on: date | None = None
    done_on: date | None = None
    evidence: str | None = None
    verification: str | None = None
    verified_by: str | None = None
    note: str | None = None


LIMITS = {"owner": 64, "verified_by": 64, "note": 2000}
"""Most characters a text field of an action takes (names have a column of 64)."""


def _check_step(session: Session, action: CourtesyAction, step: ActionStatus) -> None:
    if step is ActionStatus.PLANNED:
        missing = [
            name
            for name, value in (
                ("cause", action.cause),
                ("plan", action.plan),
                ("owner", action.owner),
                ("due", action.due_on),
            )
            if not value
        ]
        if missing:
            raise UserError(
                "courtesy.actions.needs_plan", action=action.id, missing=", ".join(missing)
            )
    elif step is ActionStatus.IMPLEMENTED:
        if action.done_on is None:
            raise UserError("courtesy.actions.needs_done", action=action.id)
    elif step in (ActionStatus.VERIFIED, ActionStatus.CLOSED):
        written = bool(action.verification and action.verified_by)
        if not written and not retest_passed(session=session, action=action):
            raise UserError("courtesy.actions.needs_verification", action=action.id)


def update_action(
    session: Session,
    *,
    action_id: int,
    change: ActionChange,
    to: ActionStatus | None = None,
    actor: str,
    now: datetime | None = None,
) -> CourtesyAction:
    """Update an action's fields and move it forward to `to`, step by step, each step checked
    and written to its history."""
    now = now or utcnow()
    for name, limit in LIMITS.items():
        value = getattr(change, name)
        if value is not None and len(value) > limit:
            raise UserError(
                "courtesy.actions.too_long", field="--" + name.replace("_", "-"), max=limit
            )
    action = fetch_action(session=session, action_id=action_id)
    if action is None:
        raise UserError("courtesy.actions.unknown", action=action_id)
    if action.status == ActionStatus.CLOSED.value and to is not None:
        raise UserError("courtesy.actions.already_closed", action=action_id)
    for name in FIELDS:
        value = getattr(change, name)
        if value is not None:
            setattr(action, name, value)
    session.add(action)
    current = ORDER.index(ActionStatus(action.status))
    if to is not None:
        wanted = ORDER.index(to)
        if wanted <= current:
            raise UserError(
                "courtesy.actions.backwards", action=action_id, status=action.status, to=to.value
            )
        for step in ORDER[current + 1 : wanted + 1]:
            _check_step(session, action, step)
            add_action_event(
                session=session,
                action_id=action_id,
                actor=actor,
                from_status=action.status,
                to_status=step.value,
                note=change.note,
                at=now,
            )
            action.status = step.value
            if step is ActionStatus.CLOSED:
                action.closed_at = now
    elif change.note:
        add_action_event(
            session=session,
            action_id=action_id,
            actor=actor,
            from_status=action.status,
            to_status=action.status,
            note=change.note,
            at=now,
        )
    session.add(action)
    session.flush()
    return action


def next_status(status: str) -> ActionStatus | None:
    """The state after `status`, or None for a closed action."""
    index = ORDER.index(ActionStatus(status))
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


@dataclass(frozen=True)
class ActionDetails:
    """One action with the names and the retest outcome a person reads."""

    action: CourtesyAction
    staff_name: str
    unit_zh: str
    unit_en: str
    test_code: str
    retest_code: str | None
    retest_day: date | None
    retest_total: float | None
    retest_passed: bool | None
    what: WhatWentWrong | None


def fetch_action_details(session: Session, *, action_id: int) -> ActionDetails:
    """The action `action_id` for its card in chat; a UserError if there is none."""
    action = fetch_action(session=session, action_id=action_id)
    if action is None:
        raise UserError("courtesy.actions.unknown", action=action_id)
    wanted = {action.test_id, action.retest_test_id}
    views = {v.id: v for v in fetch_test_views(session=session) if v.id in wanted}
    tested = views[action.test_id]
    retest = views.get(action.retest_test_id) if action.retest_test_id else None
    result = (
        fetch_current_result(session=session, test_id=retest.id) if retest is not None else None
    )
    return ActionDetails(
        action=action,
        staff_name=tested.staff_name,
        unit_zh=tested.unit_zh,
        unit_en=tested.unit_en,
        test_code=tested.code,
        retest_code=retest.code if retest else None,
        retest_day=retest.day if retest else None,
        retest_total=result.total if result else None,
        retest_passed=result.passed if result else None,
        what=what_went_wrong(session=session, action=action),
    )


@dataclass(frozen=True)
class WhatWentWrong:
    """The failed result an action was opened for, as plain values for any language."""

    total: float
    grade: str
    lost: tuple[tuple[Item, float], ...]
    critical: tuple[Item, ...]


def what_went_wrong(session: Session, *, action: CourtesyAction) -> WhatWentWrong | None:
    """The latest failing result of the action's call (None if it was amended away)."""
    failed = [
        r for r in fetch_result_history(session=session, test_id=action.test_id) if not r.passed
    ]
    if not failed:
        return None
    result = failed[-1]
    row = session.get(CourtesyRubric, result.rubric_id)
    if row is None:
        return None
    items = {i["code"]: Item.from_json(i) for i in row.items}
    lost = tuple(
        (items[code], float(points))
        for code, points in action.points_lost.items()
        if code in items
    )
    critical = tuple(
        i for i in items.values() if i.critical_zero and result.points.get(i.code) == 0
    )
    return WhatWentWrong(result.total, result.grade, lost, critical)
