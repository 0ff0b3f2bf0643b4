"""Case rules: numbering, deadlines on the official calendar, the lifecycle, confidentiality."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import Session, col, select

from bot.cases import (
    Action,
    Draft,
    closure_for,
    due_date,
    fetch_case_details,
    file_case,
    import_cases,
)
from kernel import workcalendar
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Case, CaseEvent, CaseReporter, Role
from storage.queries.cases import fetch_case_by_number
from storage.queries.people import forget_person
from tests.factories import TZ, do, file_on, person

SECRETARY = 5001
INSPECTOR = 5002
OTHER_INSPECTOR = 5003
REPORTER = 5004


def test_the_official_calendar_knows_lunar_new_year_2025_and_its_makeup_saturday() -> None:
    for day in range(25, 32):
        assert not workcalendar.is_working_day(date(2025, 1, day))
    assert not workcalendar.is_working_day(date(2025, 2, 1))
    assert not workcalendar.is_working_day(date(2025, 2, 2))
    assert workcalendar.is_working_day(date(2025, 2, 3))
    assert workcalendar.is_working_day(date(2025, 2, 8))  # make-up Saturday (補行上班)


def test_the_official_calendar_knows_lunar_new_year_2026() -> None:
    assert workcalendar.is_working_day(date(2026, 2, 13))
    for day in range(14, 23):
        assert not workcalendar.is_working_day(date(2026, 2, day))
    assert workcalendar.is_working_day(date(2026, 2, 23))
    assert not workcalendar.is_working_day(date(2026, 2, 27))  # 228 observed on Friday


def test_deadlines_count_working_days_across_holidays_and_makeup_workdays() -> None:
    # Friday before the 2025 break: the next working day is Monday 3 February.
    assert due_date(date(2025, 1, 24), 1, "working") == date(2025, 2, 3)
    # Friday 7 February 2025: the next working day is the make-up Saturday.
    assert due_date(date(2025, 2, 7), 1, "working") == date(2025, 2, 8)
    # 2026: Feb 23, 24, 25, 26 work, 27 is 228 observed, so the fifth is Monday 2 March.
    assert due_date(date(2026, 2, 13), 5, "working") == date(2026, 3, 2)
    # Thirty working days from 16 January 2026: 20 to 13 February, then the break (14–22),
    # 23–26 February, 228 observed on the 27th, 2–6 March, and the thirtieth is 9 March.
    assert due_date(date(2026, 1, 16), 30, "working") == date(2026, 3, 9)


def test_calendar_day_counting_ignores_holidays() -> None:
    assert due_date(date(2026, 2, 13), 30, "calendar") == date(2026, 3, 15)


def test_a_filed_case_gets_a_number_and_a_deadline_on_the_work_calendar(db: Database) -> None:
    filed = file_on(db, date(2026, 2, 13), reply_days=5)
    assert filed.number == "P2026-00001"
    assert filed.due_on == date(2026, 3, 2)
    assert file_on(db, date(2026, 2, 13), kind="service").number == "S2026-00001"
    assert file_on(db, date(2026, 2, 13), kind="monitor").number == "M2026-00001"
    assert file_on(db, date(2026, 2, 13)).number == "P2026-00002"
    assert file_on(db, date(2025, 12, 31)).number == "P2025-00001"


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


def _events(*, session: Session, number: str) -> list[CaseEvent]:
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


def test_only_the_secretariat_sees_the_reporter_and_other_units_see_nothing(
    db: Database,
) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    stranger = person(db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec5")
    reporter = person(db, REPORTER)
    filed = file_on(db, date(2026, 5, 4), reporter=reporter, contact=("王小明", "0912345678"))
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 5, 4), unit="sec1")
    seen = db.call(fetch_case_details, number=filed.number, viewer=secretary)
    assert seen.reporter is not None
    assert (seen.reporter.name, seen.reporter.phone) == ("王小明", "0912345678")
    assert seen.reporter.telegram_id == REPORTER
    unit_view = db.call(fetch_case_details, number=filed.number, viewer=inspector)
    assert unit_view.reporter is None
    assert "assign" not in unit_view.actions and "reply" in unit_view.actions
    with pytest.raises(UserError):
        db.call(fetch_case_details, number=filed.number, viewer=stranger)
    with pytest.raises(UserError):
        do(db, filed.number, Action.REPLY, stranger, date(2026, 5, 5), text="不是我的案件")


def test_a_forgotten_reporter_leaves_the_case_on_file_without_identity(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    reporter = person(db, REPORTER)
    filed = file_on(db, date(2026, 5, 4), reporter=reporter, contact=("王小明", "0912345678"))
    assert db.call(forget_person, person_id=reporter.id)
    case_row = db.call(fetch_case_by_number, number=filed.number)
    assert case_row is not None and case_row.subject.startswith("行動電源")
    reporters = db.call(lambda *, session: list(session.exec(select(CaseReporter)).all()))
    assert reporters == []
    seen = db.call(fetch_case_details, number=filed.number, viewer=secretary)
    assert seen.reporter is not None
    assert (seen.reporter.telegram_id, seen.reporter.name, seen.reporter.phone) == (
        None,
        None,
        None,
    )
    # Staff can still finish it; nobody is messaged.
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 5, 5), unit="sec1")
    outcome = do(db, filed.number, Action.REPLY, secretary, date(2026, 5, 6), text="已處理完畢。")
    assert outcome.notices == []


def test_the_monitor_kind_is_refused_to_people_without_the_monitor_role(db: Database) -> None:
    firm = person(db, REPORTER)
    draft = Draft(kind="monitor", subject="安全帽 RideSafe R1", description="未標示檢驗標識。")
    with pytest.raises(UserError) as refused:
        db.call(
            file_case,
            draft=draft,
            person_id=firm.id,
            roles=firm.roles,
            language="zh-TW",
            received_at=utcnow(),
            tz=TZ,
            reply_days=30,
            counting="working",
        )
    assert refused.value.key == "report.monitor_only"
    assert db.call(lambda *, session: session.exec(select(Case)).all()) == []


def test_two_reports_at_once_never_get_the_same_number(db: Database) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def file_one() -> None:
        try:
            filed = file_on(db, date(2026, 6, 1))
            with lock:
                numbers.append(filed.number)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=file_one) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"P2026-{n:05d}" for n in range(1, 25)]


CSV_OK = "\n".join(
    [
        "channel,kind,received_on,subject,description,"
        "location,category,unit,contact_name,contact_phone",
        "phone,product,2026-03-02,電暖器 WarmUp HX-200,民眾來電反映電暖器插頭過熱,"
        "竹北市,market,sec2,陳先生,0922000111",
        "letter,service,2026-03-03,報驗櫃台等候時間過長,來函反映櫃台等候超過一小時,,,secretariat,,",
        "",
    ]
)


def test_import_stores_every_channel_and_refuses_a_bad_row_whole(db: Database) -> None:
    numbers = db.call(
        import_cases,
        text=CSV_OK,
        tz=TZ,
        reply_days=30,
        counting="working",
        today=date(2026, 11, 1),
    )
    assert numbers == ["P2026-00001", "S2026-00001"]
    first = db.call(fetch_case_by_number, number="P2026-00001")
    assert first is not None and first.channel == "phone" and first.state == "assigned"
    bad = CSV_OK + "fax,product,2026-03-04,延長線,傳真反映延長線過熱冒煙,,,,,\n"
    with pytest.raises(UserError) as refused:
        db.call(
            import_cases,
            text=bad,
            tz=TZ,
            reply_days=30,
            counting="working",
            today=date(2026, 11, 1),
        )
    assert refused.value.key == "case_import.bad_channel" and refused.value.values["line"] == 4
    count = db.call(lambda *, session: len(session.exec(select(Case)).all()))
    assert count == 2


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
