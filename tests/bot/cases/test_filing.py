"""Filing: numbers per kind and year, the deadline on the work calendar, monitor reports for
monitors only, and no number given twice."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import select

from bot.cases.filing import Draft, file_case, submit_report
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Case, Role
from tests.factories import TZ, file_on, person

REPORTER = 5004


def test_a_filed_case_gets_a_number_and_a_deadline_on_the_work_calendar(db: Database) -> None:
    filed = file_on(db, date(2026, 2, 13), reply_days=5)
    assert filed.number == "P2026-00001"
    assert filed.due_on == date(2026, 3, 2)
    assert file_on(db, date(2026, 2, 13), kind="service").number == "S2026-00001"
    assert file_on(db, date(2026, 2, 13), kind="monitor").number == "M2026-00001"
    assert file_on(db, date(2026, 2, 13)).number == "P2026-00002"
    assert file_on(db, date(2025, 12, 31)).number == "P2025-00001"


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


def test_a_report_submitted_in_chat_is_filed_and_the_secretariat_told_in_one_call(
    db: Database,
) -> None:
    firm = person(db, 5004)
    person(db, 5001, Role.SECRETARIAT)
    draft = Draft(
        kind="product", subject="電暖器 WarmUp HX-200", description="插頭過熱冒煙，有焦味。"
    )
    submitted = db.call(
        submit_report,
        draft=draft,
        person_id=firm.id,
        roles=firm.roles,
        language="zh-TW",
        received_at=utcnow(),
        tz=TZ,
        reply_days=30,
        counting="working",
    )
    assert submitted.number.startswith("P")
    assert [(n.chat_id, n.key) for n in submitted.notices] == [(5001, "cases.notify.new_case")]
    assert submitted.notices[0].values["subject"] == "電暖器 WarmUp HX-200"
    draft.kind = "monitor"
    with pytest.raises(UserError):
        db.call(
            submit_report,
            draft=draft,
            person_id=firm.id,
            roles=firm.roles,
            language="zh-TW",
            received_at=utcnow(),
            tz=TZ,
            reply_days=30,
            counting="working",
        )
    assert len(db.call(lambda *, session: session.exec(select(Case)).all())) == 1
