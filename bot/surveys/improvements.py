"""Improvement actions answering a survey's findings (四(一)1(2) 檢討改善情形), followed like a
courtesy corrective action: an action names the survey, its item, the owner unit, the plan and
a due date on a working day; it moves open → in progress → closed (or cancelled), closes only
with a written verification, and every change is a history row and an audit row written in
one transaction with it. Only a finding (`findings.py`) may open one, and an item has at most
one action still to be done.

The command line and the chat call the same functions; the chat passes the units its person
works for (`units`), the command line (the server's operator) none, which allows any unit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.surveys.findings import item_name, survey_findings
from kernel import workcalendar
from kernel.dates import parse_day
from kernel.errors import UserError
from kernel.reporting import format_day, plain
from storage.models import SurveyQuestion
from storage.models.surveys import ImprovementState, SurveyImprovement, SurveyState
from storage.queries import surveys as q
from storage.queries import surveys_improvements as qi
from storage.queries.audit import record_audit
from storage.queries.cases import fetch_unit_inspectors
from storage.queries.people import fetch_unit_by_code

TEXT_LIMIT = 2000
"""Most characters of a plan, a verification or a reason."""


def parse_due(raw: str) -> date:
    """A due date as typed: `2027-03-31` or `116/03/31`."""
    day = parse_day(raw)
    if day is None:
        raise UserError("improvements.errors.bad_date", value=raw[:40])
    return day


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise UserError(f"improvements.errors.needs_{what}")
    if len(text) > TEXT_LIMIT:
        raise UserError("improvements.errors.too_long", most=TEXT_LIMIT)
    return text


def find_question(session: Session, *, survey_id: int, question: str) -> SurveyQuestion:
    """The survey's question named by its code (`measures`) or its number as asked (1…)."""
    questions = q.fetch_questions(session=session, survey_id=survey_id)
    wanted = question.strip().lstrip("#")
    for number, found in enumerate(questions, start=1):
        if found.code == wanted or wanted == str(number):
            return found
    raise UserError(
        "improvements.errors.unknown_question",
        survey=survey_id,
        question=question[:40],
        known=", ".join(x.code for x in questions),
    )


def open_improvement(
    session: Session,
    *,
    survey_id: int,
    question: str,
    unit_code: str,
    plan: str,
    due_on: date,
    threshold: int,
    today: date,
    actor: str,
    by: int | None,
    now: datetime,
) -> SurveyImprovement:
    """Open an action for a finding of the survey; refused for an item that is not one."""
    survey = q.fetch_survey(session=session, survey_id=survey_id)
    if survey is None or survey.state == SurveyState.DRAFT.value:
        raise UserError("surveys.errors.unknown_survey", survey=survey_id)
    asked = find_question(session, survey_id=survey_id, question=question)
    items, findings = survey_findings(session, survey_id=survey_id, threshold=threshold)
    if asked.id not in findings:
        share = next((i.figures.satisfied_pct for i in items if i.question.id == asked.id), None)
        raise UserError(
            "improvements.errors.not_finding",
            item=asked.code,
            share="—" if share is None else f"{share:.1f}",
            threshold=threshold,
        )
    unit = fetch_unit_by_code(session=session, code=unit_code.strip())
    if unit is None or unit.id is None:
        raise UserError("improvements.errors.unknown_unit", unit=unit_code[:32])
    text = _text(plan, "plan")
    if due_on < today:
        raise UserError("improvements.errors.past_due", day=due_on.isoformat())
    if not workcalendar.is_working_day(due_on):
        raise UserError(
            "improvements.errors.not_working_day",
            day=due_on.isoformat(),
            before=workcalendar.previous_working_day(due_on).isoformat(),
        )
    assert asked.id is not None
    live = qi.fetch_live_improvement_of(session=session, survey_id=survey_id, question_id=asked.id)
    if live is not None:
        raise UserError("improvements.errors.already_open", item=asked.code, id=live.id)
    action = qi.insert_improvement(
        session=session,
        improvement=SurveyImprovement(
            survey_id=survey_id,
            question_id=asked.id,
            unit_id=unit.id,
            plan=text,
            due_on=due_on,
            opened_by=actor,
            created_at=now,
        ),
    )
    assert action.id is not None
    qi.add_improvement_event(
        session=session,
        improvement_id=action.id,
        actor=actor,
        from_state=None,
        to_state=ImprovementState.OPEN.value,
        note=text,
        at=now,
    )
    record_audit(
        session=session,
        actor_telegram_id=by,
        action="survey.improve",
        target=str(action.id),
        detail=f"survey {survey_id} {asked.code} {unit.code}",
        at=now,
    )
    return action


NEXT: dict[ImprovementState, tuple[ImprovementState, ...]] = {
    ImprovementState.OPEN: (
        ImprovementState.IN_PROGRESS,
        ImprovementState.CLOSED,
        ImprovementState.CANCELLED,
    ),
    ImprovementState.IN_PROGRESS: (ImprovementState.CLOSED, ImprovementState.CANCELLED),
    ImprovementState.CLOSED: (),
    ImprovementState.CANCELLED: (),
}
"""The states an action may move to from each state."""


def move_improvement(
    session: Session,
    *,
    improvement_id: int,
    to: ImprovementState,
    text: str | None,
    actor: str,
    by: int | None,
    now: datetime,
    units: Collection[int] | None = None,
) -> SurveyImprovement:
    """Move an action to `to`: closing needs a written verification, cancelling a reason;
    `units` (from chat) are the units the person may act for, None any. Refused, in one
    sentence, for an unknown action, another unit's, and a step its state does not allow."""
    action = qi.fetch_improvement(session=session, improvement_id=improvement_id, lock=True)
    if action is None or (units is not None and action.unit_id not in units):
        raise UserError("improvements.errors.unknown", id=improvement_id)
    state = ImprovementState(action.state)
    if to not in NEXT[state]:
        raise UserError(
            "improvements.errors.cannot_move", id=improvement_id, state=state.value, to=to.value
        )
    note = None
    if to is ImprovementState.CLOSED:
        note = _text(text, "verification")
        action.verification = note
    elif to is ImprovementState.CANCELLED:
        note = _text(text, "reason")
    elif text:
        note = _text(text, "note")
    if to in (ImprovementState.CLOSED, ImprovementState.CANCELLED):
        action.closed_at = now
        action.closed_by = actor
    qi.add_improvement_event(
        session=session,
        improvement_id=improvement_id,
        actor=actor,
        from_state=action.state,
        to_state=to.value,
        note=note,
        at=now,
    )
    action.state = to.value
    session.add(action)
    session.flush()
    record_audit(
        session=session,
        actor_telegram_id=by,
        action=f"survey.improvement.{to.value}",
        target=str(improvement_id),
        at=now,
    )
    return action


@dataclass(frozen=True)
class ListedImprovement:
    """An action as a list shows it, in one language."""

    view: qi.ImprovementView
    item: str
    state: str

    @property
    def id(self) -> int:
        return self.view.id


def state_label(language: str, state: str) -> str:
    return plain(language, f"improvements.state.{state}")


def list_improvements(
    session: Session,
    *,
    language: str,
    open_only: bool = False,
    units: Collection[int] | None = None,
) -> list[ListedImprovement]:
    """Every action (with `open_only`, those open or in progress; with `units`, those units'),
    by number."""
    views = qi.fetch_improvement_views(
        session=session,
        states=qi.LIVE_STATES if open_only else None,
        unit_ids=None if units is None else sorted(units),
    )
    return [
        ListedImprovement(
            v,
            item_name(v.question_code, v.question_zh, v.question_en, language),
            state_label(language, v.improvement.state),
        )
        for v in views
    ]


def closable(
    session: Session, *, improvement_id: int, language: str, units: Collection[int] | None
) -> ListedImprovement:
    """The action a 「結案」 button names, if the person may close it now (of their units, or
    any with `units` None, and still to be done)."""
    found = qi.fetch_improvement_views(session=session, improvement_ids=[improvement_id])
    view = found[0] if found else None
    if view is None or (units is not None and view.improvement.unit_id not in units):
        raise UserError("improvements.errors.unknown", id=improvement_id)
    if view.improvement.state not in qi.LIVE_STATES:
        raise UserError(
            "improvements.errors.cannot_move",
            id=improvement_id,
            state=state_label(language, view.improvement.state),
            to=state_label(language, ImprovementState.CLOSED.value),
        )
    return ListedImprovement(
        view,
        item_name(view.question_code, view.question_zh, view.question_en, language),
        state_label(language, view.improvement.state),
    )


def improvement_line(language: str, listed: ListedImprovement, *, roc: bool) -> str:
    """One action on one line: number, survey, item, unit, due date, state (and verification)."""
    action = listed.view.improvement
    line = plain(
        language,
        "improvements.line",
        id=listed.id,
        survey=action.survey_id,
        title=listed.view.survey_title,
        item=listed.item,
        unit=listed.view.unit_name(language),
        due=format_day(action.due_on, language, roc=roc),
        state=listed.state,
    )
    if action.verification:
        line += plain(language, "improvements.verified", text=action.verification)
    return line


REMIND_WORKING_DAYS = 3
"""The owner unit is reminded this many working days before an action's due date."""


@dataclass(frozen=True)
class Reminder:
    """A reminder of one action to one of its unit's staff: `which` is due or overdue."""

    which: str
    view: qi.ImprovementView
    chat_id: int
    language: str | None

    @property
    def once_key(self) -> str:
        due = self.view.improvement.due_on.isoformat()
        return f"{self.which}:{self.view.id}:{due}:{self.chat_id}"


def reminders_due(session: Session, *, today: date) -> list[Reminder]:
    """On a working day, the reminders of actions still to be done: from three working days
    before the due date to the day itself (due), and after it (overdue), to each inspector of
    the owner unit. The outbox's unique key keeps each from being sent twice."""
    if not workcalendar.is_working_day(today):
        return []
    horizon = workcalendar.add_working_days(today, REMIND_WORKING_DAYS)
    found = []
    for view in qi.fetch_improvement_views(session=session, states=qi.LIVE_STATES):
        due_on = view.improvement.due_on
        if due_on > horizon:
            continue
        which = "overdue" if due_on < today else "due"
        for person in fetch_unit_inspectors(session=session, unit_id=view.improvement.unit_id):
            found.append(Reminder(which, view, person.telegram_id, person.language))
    return found
