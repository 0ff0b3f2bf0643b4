"""The lifecycle: closing on time or late, the paused clock, extensions, and an event for every
change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from bot.cases import lifecycle
from bot.cases.actions import Action, Refused
from bot.cases.deadlines import closure_for
from bot.cases.lifecycle import Taken, start_action, take_action
from kernel import workcalendar
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Case, CaseEvent, Role
from storage.queries.audit import record_audit
from storage.queries.cases import fetch_case_by_number
from storage.queries.people import PersonView
from tests.factories import do, file_on, person

SECRETARY = 5001
INSPECTOR = 5002
REPORTER = 5004


def test_a_case_replied_one_working_day_late_is_closed_late(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    on_time = file_on(db, date(2026, 1, 16))
    late = file_on(db, date(2026, 1, 16))
    assert on_time.due_on == date(2026, 3, 9)
    for filed, reply_day in (
        (on_time, on_time.due_on),
        (late, workcalendar.add_working_days(late.due_on, 1)),
    ):
        do(db, filed.number, Action.ASSIGN, secretary, date(2026, 1, 19), unit="sec1")
        do(db, filed.number, Action.REPLY, secretary, reply_day, text="已完成查核並依法處理。")
        do(db, filed.number, Action.CLOSE, secretary, reply_day)
    first = db.call(fetch_case_by_number, number=on_time.number)
    second = db.call(fetch_case_by_number, number=late.number)
    assert first is not None and first.closure == "on_time" and first.state == "closed"
    assert second is not None and second.closure == "late"
    assert second.replied_on == date(2026, 3, 10)
    assert closure_for(date(2026, 3, 9), date(2026, 3, 9)).value == "on_time"


def test_needs_info_pauses_the_clock_until_the_reporter_answers(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    reporter = person(db, REPORTER)
    filed = file_on(db, date(2026, 3, 2), reporter=reporter)
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 3, 3), unit="sec2")
    asked = do(
        db, filed.number, Action.ASK_INFO, secretary, date(2026, 3, 4), text="請提供購買收據"
    )
    assert asked.state == "needs_info"
    assert [n.chat_id for n in asked.notices] == [REPORTER]
    answered = do(
        db, filed.number, Action.INFO, reporter, date(2026, 3, 9), text="收據已拍照，店名為某某"
    )
    # 4 March (Wed) → 9 March (Mon) is three working days: 5, 6 and 9 March.
    assert answered.state == "investigating"
    assert answered.due_on == workcalendar.add_working_days(filed.due_on, 3)


def test_an_extension_needs_days_and_a_reason_and_the_reporter_is_told(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    reporter = person(db, REPORTER)
    filed = file_on(db, date(2026, 3, 2), reporter=reporter)
    with pytest.raises(UserError) as refused:
        do(db, filed.number, Action.EXTEND, secretary, date(2026, 3, 3), text="十天")
    assert refused.value.key == "cases.extend_bad"
    outcome = do(db, filed.number, Action.EXTEND, secretary, date(2026, 3, 3), text="10 需送驗")
    assert outcome.due_on == workcalendar.add_working_days(filed.due_on, 10)
    assert outcome.notices[0].values["reason"] == "需送驗"
    events = db.call(_events, number=filed.number)
    assert [e.action for e in events] == ["file", "extend"]
    assert events[1].note == "+10: 需送驗" and events[1].actor_id == secretary.id


def _events(session: Session, *, number: str) -> list[CaseEvent]:
    case_row = session.exec(select(Case).where(Case.number == number)).one()
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_row.id).order_by(col(CaseEvent.id))
        ).all()
    )


def test_every_change_is_an_event_with_who_when_from_and_to(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec3")
    filed = file_on(db, date(2026, 4, 1))
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 4, 1), unit="sec3")
    do(db, filed.number, Action.INVESTIGATE, inspector, date(2026, 4, 2))
    do(db, filed.number, Action.NOTE, inspector, date(2026, 4, 2), text="已電洽賣場")
    do(db, filed.number, Action.REPLY, inspector, date(2026, 4, 7), text="已下架並輔導改善。")
    do(db, filed.number, Action.CLOSE, inspector, date(2026, 4, 7))
    events = db.call(_events, number=filed.number)
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("file", None, "received"),
        ("assign", "received", "assigned"),
        ("investigate", "assigned", "investigating"),
        ("note", "investigating", "investigating"),
        ("reply", "investigating", "replied"),
        ("close", "replied", "closed"),
    ]
    assert events[1].actor_id == secretary.id and events[2].actor_id == inspector.id


def test_closing_a_case_while_it_waits_for_information_does_not_count_the_pause(
    db: Database,
) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(db, date(2026, 1, 16), reply_days=5)
    assert filed.due_on == date(2026, 1, 23)
    do(db, filed.number, Action.ASK_INFO, secretary, date(2026, 1, 19), text="請補充照片")
    # Waiting from 19 January; with no answer by 3 February it is closed as not handled:
    # 11 working days of pause move the deadline past that day, so it is on time.
    outcome = do(
        db, filed.number, Action.NOT_HANDLED, secretary, date(2026, 2, 3), text="逾期未補正"
    )
    assert outcome.state == "not_handled"
    closed = db.call(fetch_case_by_number, number=filed.number)
    assert closed is not None and closed.closure == "on_time" and closed.paused_on is None
    assert closed.due_on == workcalendar.add_working_days(date(2026, 1, 23), 11)


def _audit(db: Database) -> list[tuple[int | None, str, str | None, str | None]]:
    rows = db.call(
        lambda session: list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))
    )
    return [(a.actor_telegram_id, a.action, a.target, a.detail) for a in rows]


def _take(db: Database, number: str, action: str, actor: PersonView, **values: object) -> Taken:
    return db.call(
        take_action,
        number=number,
        action=action,
        actor=actor,
        today=date(2026, 4, 2),
        counting="working",
        **values,
    )


def test_a_staff_action_writes_its_event_and_its_audit_row_in_one_call(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(db, date(2026, 4, 1))
    taken = _take(db, filed.number.lower(), Action.NOTE, secretary, text=" 已電洽賣場 ")
    assert taken.outcome.number == filed.number and taken.details is None
    assert [e.action for e in db.call(_events, number=filed.number)] == ["file", "note"]
    assert _audit(db) == [(SECRETARY, "case.note", filed.number, " 已電洽賣場 ")]


def test_an_action_that_fails_after_its_audit_row_keeps_neither_the_change_nor_the_row(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(db, date(2026, 4, 1))

    def audit_then_fail(**values: object) -> None:
        record_audit(**values)  # type: ignore[arg-type]
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(lifecycle, "record_audit", audit_then_fail)
    with pytest.raises(RuntimeError):
        _take(db, filed.number, Action.ASSIGN, secretary, unit_code="sec1")
    stored = db.call(fetch_case_by_number, number=filed.number)
    assert stored is not None and stored.state == "received" and stored.unit_id is None
    assert [e.action for e in db.call(_events, number=filed.number)] == ["file"]
    assert _audit(db) == []


def test_a_refused_action_writes_one_refusal_row_without_the_text_and_changes_nothing(
    db: Database,
) -> None:
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, date(2026, 4, 1), contact=("王小明", "0912345678"))
    refused = _take(db, filed.number, Action.NOTE, inspector, text="不是我的案件")
    assert isinstance(refused, Refused) and refused.error.key == "cases.not_found"
    assert _audit(db) == [(INSPECTOR, "case.note", filed.number, "not_visible")]
    assert [e.action for e in db.call(_events, number=filed.number)] == ["file"]


def test_an_action_shown_again_to_the_secretariat_audits_the_action_and_the_view(
    db: Database,
) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, date(2026, 4, 1))
    taken = _take(db, filed.number, Action.ASSIGN, secretary, unit_code="sec1", show=True)
    assert taken.details is not None and taken.details.unit_code == "sec1"
    assert taken.details.reporter is not None
    assert taken.outcome.state == "assigned"
    assert _audit(db) == [
        (SECRETARY, "case.assign", filed.number, None),
        (SECRETARY, "case.view", filed.number, None),
    ]
    seen = _take(db, filed.number, Action.CATEGORY, inspector, category_code="rpc", show=True)
    assert seen.details is not None and seen.details.reporter is None
    assert seen.details.category_code == "rpc"
    assert _audit(db)[2:] == [(INSPECTOR, "case.category", filed.number, None)]


def test_an_action_button_is_refused_before_its_choices_or_prompt(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, date(2026, 4, 1))
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 4, 1), unit="sec1")
    units = db.call(start_action, number=filed.number, action=Action.ASSIGN, actor=secretary)
    assert units.number == filed.number and "sec1" in [u.code for u in units.choices]
    categories = db.call(
        start_action, number=filed.number.lower(), action=Action.CATEGORY, actor=inspector
    )
    assert categories.number == filed.number and "rpc" in [c.code for c in categories.choices]
    note = db.call(start_action, number=filed.number, action=Action.NOTE, actor=inspector)
    assert note.choices == []
    refusal = db.call(start_action, number=filed.number, action=Action.ASSIGN, actor=inspector)
    assert isinstance(refusal, Refused) and refusal.error.key == "cases.action_not_allowed"
    with pytest.raises(UserError) as refused:
        db.call(start_action, number="P2026-09999", action=Action.NOTE, actor=secretary)
    assert refused.value.key == "cases.not_found"
